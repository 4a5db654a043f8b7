using System.Diagnostics;
using System.Net;
using Npgsql;
using TemplatePack.Tests.Fixture;
using TemplatePack.Tests.Infrastructure;
using TemplatePack.Tests.Run;
using static TemplatePack.Tests.Run.HttpJson;

namespace TemplatePack.Tests.Tiers;

/// <summary>
/// The database connection drops while clients write: the app answers 503 `database_unavailable` with
/// Retry-After (never another 5xx), `/health` says so, it recovers by itself once the network is back, and
/// no write it acknowledged with 201 is lost.
/// </summary>
[Trait("Tier", "run")]
public sealed class OutageTests(TemplatePackFixture fixture, ITestOutputHelper output)
{
    private static readonly TimeSpan CutDuration = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan RecoveryTimeout = TimeSpan.FromSeconds(30);

    public static TheoryData<string> ScenarioIds => Scenarios.With(ScenarioChecks.DatabaseOutage);

    [Theory]
    [MemberData(nameof(ScenarioIds))]
    public async Task Database_outage_gives_503_and_loses_no_acknowledged_write(string scenarioId)
    {
        var scenario = Scenarios.Get(scenarioId);
        Assert.True(scenario.UsesPostgres && scenario.Rest && !scenario.UsesAuth, $"{scenarioId}: the outage test cuts PostgreSQL under anonymous REST writes");
        var server = new NpgsqlConnectionStringBuilder(TestServices.RequirePostgres());
        var redis = TestServices.RequireRedis();
        var solution = await fixture.BuiltAsync(scenario);
        await using var database = await TemporaryDatabase.CreateAsync(server.ConnectionString, "outage");
        await using var proxy = new TcpProxy(server.Host ?? "127.0.0.1", server.Port);
        var environment = ApiHost.Environment(database.ConnectionStringVia("127.0.0.1", proxy.Port), redis);

        await ApiHost.MigrateAsync(solution, environment);
        await using var app = await ApiHost.StartAsync(solution, environment);
        var log = new OutageLog();
        try
        {
            await PostUntil(app.Client, log, "before", count: 20, TimeSpan.FromSeconds(20));
            Assert.True(log.Acknowledged.Count > 0, $"No write succeeded before the cut: {log}");
            Assert.True(proxy.AcceptedConnections > 0, "The app never connected through the proxy");

            proxy.Cut();
            await PostUntil(app.Client, log, "during", count: 200, CutDuration);
            using (var health = await app.Client.GetAsync("/health", TestContext.Current.CancellationToken))
            {
                Assert.True(health.StatusCode == HttpStatusCode.ServiceUnavailable, $"/health while cut → {(int)health.StatusCode}");
            }

            proxy.Restore();
            await WaitForHealthy(app.Client);
            var before = log.Acknowledged.Count;
            await PostUntil(app.Client, log, "after", count: 10, TimeSpan.FromSeconds(20));
            output.WriteLine(log.ToString());

            Assert.True(log.Acknowledged.Count > before, $"No write succeeded after the restore: {log}");
            Assert.True(log.Unexpected.Count == 0, $"Answers the contract forbids: {log}");
            Assert.True(log.Unavailable > 0, $"No 503 database_unavailable while the database was cut: {log}");
            await AssertEveryAcknowledgedWriteIsStored(database.ConnectionString, log);
        }
        catch (Exception)
        {
            output.WriteLine(log.ToString());
            output.WriteLine("App output:\n" + app.Output);
            throw;
        }
    }

    /// <summary>Posts products until <paramref name="count"/> attempts or <paramref name="duration"/> pass.</summary>
    private static async Task PostUntil(HttpClient client, OutageLog log, string phase, int count, TimeSpan duration)
    {
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < count && clock.Elapsed < duration; i++)
        {
            var sku = $"OUT-{phase}-{i:D3}";
            try
            {
                using var response = await PostProductAsync(client, sku, $"Outage {phase} {i:D3}", 1m);
                await log.RecordAsync(phase, sku, response);
            }
            catch (TaskCanceledException)
            {
                log.Unexpected.Add($"{sku} ({phase}): no answer within {client.Timeout.TotalSeconds}s");
            }

            if (log.LastWasUnavailable)
            {
                await Task.Delay(100); // a polite client backs off a little; still many attempts in the window
            }
        }
    }

    private static async Task WaitForHealthy(HttpClient client)
    {
        var clock = Stopwatch.StartNew();
        var last = "";
        while (clock.Elapsed < RecoveryTimeout)
        {
            using var health = await client.GetAsync("/health");
            if (health.StatusCode == HttpStatusCode.OK)
            {
                return;
            }

            last = $"{(int)health.StatusCode} {await health.Content.ReadAsStringAsync()}";
            await Task.Delay(500);
        }

        Assert.Fail($"/health did not return 200 within {RecoveryTimeout.TotalSeconds}s of the restore (last: {last})");
    }

    private static async Task AssertEveryAcknowledgedWriteIsStored(string connectionString, OutageLog log)
    {
        // Directly, not through the app: the database is the witness.
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var stored = new HashSet<string>(StringComparer.Ordinal);
        var table = await FindProductsTable(connection);
        await using (var select = new NpgsqlCommand($"SELECT sku FROM {table}", connection))
        await using (var reader = await select.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                stored.Add(reader.GetString(0));
            }
        }

        var lost = log.Acknowledged.Keys.Where(sku => !stored.Contains(sku)).ToList();
        Assert.True(lost.Count == 0, $"{lost.Count} acknowledged writes are missing from {table}: {string.Join(", ", lost)}");
    }

    private static async Task<string> FindProductsTable(NpgsqlConnection connection)
    {
        await using var query = new NpgsqlCommand(
            """
            SELECT quote_ident(table_schema) || '.' || quote_ident(table_name)
            FROM information_schema.columns
            WHERE column_name = 'sku' AND lower(table_name) LIKE '%product%'
              AND table_schema NOT IN ('pg_catalog', 'information_schema')
            """, connection);
        var tables = new List<string>();
        await using var reader = await query.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            tables.Add(reader.GetString(0));
        }

        return Assert.Single(tables);
    }
}
