using TemplatePack.Tests.Fixture;
using TemplatePack.Tests.Infrastructure;

namespace TemplatePack.Tests.Run;

/// <summary>
/// A scenario's built API as an operator runs it: a database of its own (a fresh PostgreSQL database or a SQLite
/// file), the explicit migrate step, then the app in Production. A missing service skips the test, naming the
/// variable, before minutes go into a build. Disposing stops the app and drops the database.
/// </summary>
public sealed class ScenarioApp : IAsyncDisposable
{
    private readonly AppDatabase _database;

    private ScenarioApp(ApiHost host, AppDatabase database, string scratchDirectory, IReadOnlyDictionary<string, string?> environment)
    {
        Host = host;
        _database = database;
        ScratchDirectory = scratchDirectory;
        Environment = environment;
    }

    public ApiHost Host { get; }

    /// <summary>The environment the API was started with: another process of the solution (the worker) gets the same.</summary>
    public IReadOnlyDictionary<string, string?> Environment { get; }

    /// <summary>The connection string of the app's database (a PostgreSQL database of its own, or a SQLite file).</summary>
    public string DatabaseConnectionString => _database.ConnectionString;

    /// <summary>A directory of this app's own, for files a test writes beside it.</summary>
    public string ScratchDirectory { get; }

    /// <param name="purpose">Names the scratch directory (e.g. "run", "sweep").</param>
    /// <param name="settings">Environment variables set on top of <see cref="ApiHost.Environment"/>.</param>
    public static async Task<ScenarioApp> StartAsync(
        TemplatePackFixture fixture, Scenario scenario, string purpose, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var postgres = scenario.UsesPostgres ? TestServices.RequirePostgres() : null;
        var redis = scenario.UsesRedis ? TestServices.RequireRedis() : null;
        var solution = await fixture.BuiltAsync(scenario);
        var scratch = fixture.NewScratchDirectory($"{purpose}-{scenario.Id}");
        var database = await AppDatabase.CreateAsync(scenario, postgres, scratch);
        try
        {
            var environment = ApiHost.Environment(database.ConnectionString, redis);
            foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            {
                environment[key] = value;
            }

            if (scenario.UsesAuth)
            {
                // The operator's first step: a signing key from the app's own command, kept outside the app's folder.
                environment["Security__Tokens__SigningKeyPath"] = await ApiHost.GenerateSigningKeyAsync(solution, scratch);
                // And the certificate that encrypts the data protection keys in the database (Production requires it).
                environment["Security__KeyRing__CertificatePath"] = await ApiHost.GenerateKeyRingCertificateAsync(scratch);
            }

            await ApiHost.MigrateAsync(solution, environment);
            var host = await ApiHost.StartAsync(solution, environment);
            if (scenario.UsesAuth)
            {
                try
                {
                    // Writes need a signed-in user: register one with a password and send its bearer token.
                    await host.SignInAsync(solution, environment);
                }
                catch
                {
                    await host.DisposeAsync();
                    throw;
                }
            }

            return new ScenarioApp(host, database, scratch, environment);
        }
        catch
        {
            await database.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        await _database.DisposeAsync();
    }
}
