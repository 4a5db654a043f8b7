using System.Net.Http.Headers;
using Company.Starter.Data;
using Company.Starter.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Company.Starter.Api.Tests;

/// <summary>
/// The real Api, in memory, on a migrated database of its own. A module whose tests need more of every app (the
/// security module: its keys, and clients that act as an admin) adds it in a part of this class of its own.
/// </summary>
public sealed partial class ApiFactory : WebApplicationFactory<Program>
{
    private readonly AppSettings _settings;
    private readonly Action<IServiceCollection>? _configureServices;
    private readonly IReadOnlyDictionary<string, string?> _extraSettings;
    private readonly TimeSpan _pauseBeforeStart;

    private ApiFactory(AppSettings settings, Action<IServiceCollection>? configureServices, IReadOnlyDictionary<string, string?>? extraSettings, TimeSpan pauseBeforeStart)
    {
        _settings = settings;
        _configureServices = configureServices;
        _extraSettings = extraSettings ?? new Dictionary<string, string?>();
        _pauseBeforeStart = pauseBeforeStart;
    }

    /// <summary>
    /// Starts the Api on a new migrated database. <paramref name="configureServices"/> runs after the app's own
    /// registrations; <paramref name="settings"/> adds or overrides configuration keys. <paramref name="pauseBeforeStart"/>
    /// holds the test's thread back between building the app and waiting for it to start, as a loaded machine does now
    /// and then (<see cref="StartupGate"/>'s own test).
    /// </summary>
    public static async Task<ApiFactory> StartAsync(
        TestEnvironment environment,
        Action<IServiceCollection>? configureServices = null,
        IReadOnlyDictionary<string, string?>? settings = null,
        TimeSpan pauseBeforeStart = default)
    {
        var factory = new ApiFactory(await environment.CreateAppSettingsAsync(TestContext.Current.CancellationToken), configureServices, settings, pauseBeforeStart);
        try
        {
            // Migrate first, as production does (the `migrate` step before the rollout): the app reads its data
            // protection key ring from the database as it starts, and an unmigrated database would log an error there.
            await MigrateAsync([factory._settings.Values, factory._extraSettings], TestContext.Current.CancellationToken);
            _ = factory.Services; // starts the app
            return factory;
        }
        catch (Exception startFailure)
        {
            // An app that does not start still made a database: drop it, then report why. Disposing a factory whose host
            // failed to start can itself throw (ObjectDisposedException from the half-built host): report that too, but
            // after the start failure, which is what the test is about.
            try
            {
                await factory.DisposeAsync();
            }
            catch (Exception disposeFailure)
            {
                throw new AggregateException("The app did not start, and disposing it failed too.", startFailure, disposeFailure);
            }

            throw;
        }
    }

    /// <summary>Applies the migrations with the data module alone, registered as the app registers it, without starting the app.</summary>
    private static async Task MigrateAsync(IEnumerable<IEnumerable<KeyValuePair<string, string?>>> layers, CancellationToken cancellationToken)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = Environments.Production });
        foreach (var layer in layers)
        {
            builder.Configuration.AddInMemoryCollection(layer); // later layers override earlier ones, as in the app
        }

        builder.AddData();
        AddModuleData(builder);
        using var host = builder.Build();
        await host.Services.MigrateDatabaseAsync(cancellationToken);
    }

    /// <summary>
    /// The tables of a module that registers them itself rather than through AddData (the messaging module's
    /// AddModuleDbContext), so that they are migrated with the rest.
    /// </summary>
    static partial void AddModuleData(IHostApplicationBuilder builder);

    /// <summary>Settings a module's tests give every app, before the test's own (which override them).</summary>
    partial void AddModuleSettings(List<KeyValuePair<string, string?>> settings);

    /// <summary>Headers every request of this factory's clients carries unless the test says otherwise (an admin's token, with the security module).</summary>
    partial void AddDefaultHeaders(HttpRequestHeaders headers);

    protected override void ConfigureClient(HttpClient client)
    {
        base.ConfigureClient(client);
        AddDefaultHeaders(client.DefaultRequestHeaders);
    }

    /// <summary>
    /// A handler for clients that <see cref="WebApplicationFactory{TEntryPoint}.CreateClient()"/> does not make (a gRPC
    /// channel): its requests carry the same default headers as that method's clients.
    /// </summary>
    public HttpMessageHandler CreateHandlerWithDefaultHeaders() => new DefaultHeadersHandler(this) { InnerHandler = Server.CreateHandler() };

    /// <summary>A client with no credentials, over https://localhost so that the app's Secure cookies round-trip.</summary>
    public HttpClient CreateAnonymousClient(bool handleCookies = true)
    {
        var client = CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://localhost"), HandleCookies = handleCookies });
        client.DefaultRequestHeaders.Authorization = null;
        return client;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        var moduleSettings = new List<KeyValuePair<string, string?>>();
        AddModuleSettings(moduleSettings);
        foreach (var (key, value) in moduleSettings.Concat(_settings.Values).Concat(_extraSettings))
        {
            builder.UseSetting(key, value);
        }

        if (_configureServices is not null)
        {
            builder.ConfigureServices(_configureServices);
        }
    }

    /// <summary>Starts the app behind <see cref="StartupGate"/>, so that an app that refuses to start says why.</summary>
    protected override IHost CreateHost(IHostBuilder builder)
    {
        var gate = StartupGate.Install(builder);
        var host = builder.Build();
        if (_pauseBeforeStart > TimeSpan.Zero)
        {
            Thread.Sleep(_pauseBeforeStart);
        }

        return gate.Start(host);
    }

    public override async ValueTask DisposeAsync()
    {
        try
        {
            await base.DisposeAsync();
        }
        finally
        {
            await _settings.DisposeAsync(); // the test database goes, whatever the host's disposal did
        }
    }

    private sealed class DefaultHeadersHandler(ApiFactory api) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            api.AddDefaultHeaders(request.Headers);
            return base.SendAsync(request, cancellationToken);
        }
    }
}
