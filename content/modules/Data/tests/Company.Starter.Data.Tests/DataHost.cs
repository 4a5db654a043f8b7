using Company.Starter.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Company.Starter.Data.Tests;

/// <summary>The data module registered as an app registers it (<c>AddData</c>), on a database of its own.</summary>
public sealed class DataHost : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly AppSettings _settings;

    private DataHost(IHost host, AppSettings settings)
    {
        _host = host;
        _settings = settings;
    }

    public IServiceProvider Services => _host.Services;

    public string ConnectionString => _settings.Database.ConnectionString;

    /// <summary>
    /// Starts the module on a new database; <paramref name="migrate"/> false leaves it empty, <paramref name="createDatabase"/>
    /// false does not even create it (a first run); <paramref name="overrides"/> replace settings.
    /// </summary>
    public static async Task<DataHost> StartAsync(
        TestEnvironment environment, bool migrate = true, bool createDatabase = true, IReadOnlyDictionary<string, string?>? overrides = null)
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var settings = await environment.CreateAppSettingsAsync(createDatabase, cancellationToken);
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(settings.Values);
        builder.Configuration.AddInMemoryCollection(overrides ?? new Dictionary<string, string?>());
        builder.AddData();

        var host = builder.Build();
        if (migrate)
        {
            await host.Services.MigrateDatabaseAsync(cancellationToken);
        }

        return new DataHost(host, settings);
    }

    /// <summary>A scope per unit of work, as each HTTP request has.</summary>
    public AsyncServiceScope CreateScope() => _host.Services.CreateAsyncScope();

    public T Get<T>(AsyncServiceScope scope) where T : notnull => scope.ServiceProvider.GetRequiredService<T>();

    public async ValueTask DisposeAsync()
    {
        _host.Dispose();
        await _settings.DisposeAsync();
    }
}
