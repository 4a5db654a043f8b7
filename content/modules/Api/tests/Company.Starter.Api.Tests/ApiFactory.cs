using Company.Starter.Data;
using Company.Starter.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Company.Starter.Api.Tests;

/// <summary>The real Api, in memory, on a migrated database of its own.</summary>
public sealed class ApiFactory : WebApplicationFactory<Program>
{
    private readonly AppSettings _settings;

    private ApiFactory(AppSettings settings) => _settings = settings;

    public static async Task<ApiFactory> StartAsync(TestEnvironment environment)
    {
        var factory = new ApiFactory(await environment.CreateAppSettingsAsync(TestContext.Current.CancellationToken));
        await factory.Services.MigrateDatabaseAsync(TestContext.Current.CancellationToken);
        return factory;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        foreach (var (key, value) in _settings.Values)
        {
            builder.UseSetting(key, value);
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await _settings.DisposeAsync();
    }
}
