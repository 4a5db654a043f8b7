#if (UseAuth)
using System.Net.Http.Headers;
using Company.Starter.Api.Security.Authorization;
using Company.Starter.Api.Security.Tokens;
using Company.Starter.Api.Tests.Security;
#endif
using Company.Starter.Data;
using Company.Starter.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

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
        using var host = builder.Build();
        await host.Services.MigrateDatabaseAsync(cancellationToken);
    }

#if (UseAuth)
    /// <summary>The user id of the admin whose token <see cref="WebApplicationFactory{TEntryPoint}.CreateClient()"/> clients carry.</summary>
    public const string AdminUserId = "test-admin";

    /// <summary>The ES256 key this app signs tokens with: a new one per app, as <c>keys generate</c> makes them.</summary>
    public string SigningKeyPem { get; } = SigningKey.Generate();

    /// <summary>
    /// Settings every test app gets: its own signing key, the key ring certificate Production requires, and an auth rate
    /// limit high enough for a test class's sign-ins (the rate limit and lockout tests set their own).
    /// </summary>
    private IEnumerable<KeyValuePair<string, string?>> SecuritySettings() =>
    [
        new("Security:Tokens:SigningKey", SigningKeyPem),
        new("Security:KeyRing:Certificate", KeyRingCertificates.Shared),
        new("Security:Passwords:AttemptsPerWindow", "10000"),
    ];

    /// <summary>
    /// Clients from <see cref="WebApplicationFactory{TEntryPoint}.CreateClient()"/> act as an admin (a bearer token
    /// issued by the app itself), so the catalogue tests exercise the API rather than its guards. The security
    /// tests make their own clients with <see cref="CreateAnonymousClient"/>.
    /// </summary>
    protected override void ConfigureClient(HttpClient client)
    {
        base.ConfigureClient(client);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", IssueToken(AdminUserId, Policies.AdminRole));
    }

    /// <summary>An access token the app itself issued, for a user id (no account needed) with the given roles.</summary>
    public string IssueToken(string userId, params string[] roles) =>
        Services.GetRequiredService<AccessTokens>().Issue(userId, $"{userId}@example.test", roles, "test").Token;

    /// <summary>A client with no credentials, over https://localhost so that the app's Secure cookies round-trip.</summary>
    public HttpClient CreateAnonymousClient(bool handleCookies = true)
    {
        var client = CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://localhost"), HandleCookies = handleCookies });
        client.DefaultRequestHeaders.Authorization = null;
        return client;
    }

#endif
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
#if (UseAuth)
        foreach (var (key, value) in SecuritySettings().Concat(_settings.Values).Concat(_extraSettings))
#else
        foreach (var (key, value) in _settings.Values.Concat(_extraSettings))
#endif
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
        try
        {
            await base.DisposeAsync();
        }
        finally
        {
            await _settings.DisposeAsync(); // the test database goes, whatever the host's disposal did
        }
    }
}
