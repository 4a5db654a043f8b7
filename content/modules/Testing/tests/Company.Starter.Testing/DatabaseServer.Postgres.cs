using Npgsql;
using Testcontainers.PostgreSql;

namespace Company.Starter.Testing;

// The PostgreSQL server the tests use (DatabaseServer.Sqlite.cs is SQLite's, with the same members): the template keeps
// the file of the database the solution was made with.

/// <summary>
/// The PostgreSQL server the tests run against: <c>COMPANY_STARTER_TEST_POSTGRES</c> (its role must be allowed to create
/// databases), else a container. Each test gets a database of its own, so tests run in parallel without seeing each
/// other's rows.
/// </summary>
public sealed class DatabaseServer : IAsyncDisposable
{
    public const string Variable = "COMPANY_STARTER_TEST_POSTGRES";

    private readonly ExternalService _server = new(Variable, "PostgreSQL (a role that can CREATE DATABASE)", async cancellationToken =>
    {
        var container = new PostgreSqlBuilder("postgres:17-alpine").Build();
        await container.StartAsync(cancellationToken);
        return (container.GetConnectionString(), container);
    });

    /// <summary>A new, empty database of its own.</summary>
    public Task<TestDatabase> CreateDatabaseAsync(CancellationToken cancellationToken = default) => NewDatabaseAsync(create: true, cancellationToken);

    /// <summary>
    /// A connection string for a database that does not exist yet, as on a first run: whatever creates it, it is
    /// dropped on dispose.
    /// </summary>
    public Task<TestDatabase> ReserveDatabaseAsync(CancellationToken cancellationToken = default) => NewDatabaseAsync(create: false, cancellationToken);

    /// <summary>A connection string to a server that is not there: a loopback port with nothing listening (refused at once).</summary>
    public static string UnreachableConnectionString()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return $"Host=127.0.0.1;Port={port};Database=app;Username=app;Password=app;Timeout=5";
    }

    private async Task<TestDatabase> NewDatabaseAsync(bool create, CancellationToken cancellationToken)
    {
        var server = await _server.GetConnectionStringAsync(cancellationToken);
        var name = $"test_{Guid.NewGuid():N}";

        if (create)
        {
            await using var admin = new NpgsqlConnection(server);
            await admin.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", admin);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        var database = new NpgsqlConnectionStringBuilder(server) { Database = name, Pooling = true }.ConnectionString;
        return new TestDatabase(database, async () =>
        {
            NpgsqlConnection.ClearAllPools();
            await using var admin = new NpgsqlConnection(server);
            await admin.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", admin);
            // FORCE ends the sessions the test left open. On a busy server a session this role may not end (autovacuum
            // on the new database: 42501) or one still closing (55006) can refuse the drop for a moment: retry, bounded.
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await drop.ExecuteNonQueryAsync();
                    return;
                }
                catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.InsufficientPrivilege or PostgresErrorCodes.ObjectInUse && attempt < 10)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt));
                }
            }
        });
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
