using Company.Starter.Data;
using Company.Starter.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Company.Starter.Api.Tests;

/// <summary>The real Api, in memory, on a migrated database of its own.</summary>
public sealed class ApiFactory : WebApplicationFactory<Program>
{
    private readonly AppSettings _settings;
    private readonly Action<IServiceCollection>? _configureServices;
    private readonly IReadOnlyDictionary<string, string?> _extraSettings;

    private ApiFactory(AppSettings settings, Action<IServiceCollection>? configureServices, IReadOnlyDictionary<string, string?>? extraSettings)
    {
        _settings = settings;
        _configureServices = configureServices;
        _extraSettings = extraSettings ?? new Dictionary<string, string?>();
    }

    /// <summary>
    /// Starts the Api on a new migrated database. <paramref name="configureServices"/> runs after the app's own
    /// registrations; <paramref name="settings"/> adds or overrides configuration keys.
    /// </summary>
    public static async Task<ApiFactory> StartAsync(
        TestEnvironment environment,
        Action<IServiceCollection>? configureServices = null,
        IReadOnlyDictionary<string, string?>? settings = null)
    {
        var factory = new ApiFactory(await environment.CreateAppSettingsAsync(TestContext.Current.CancellationToken), configureServices, settings);
        await factory.Services.MigrateDatabaseAsync(TestContext.Current.CancellationToken);
        return factory;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        foreach (var (key, value) in _settings.Values.Concat(_extraSettings))
        {
            builder.UseSetting(key, value);
        }

        if (_configureServices is not null)
        {
            builder.ConfigureServices(_configureServices);
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await _settings.DisposeAsync();
    }
}
