#if (UsePostgres)
using DotNet.Testcontainers.Configurations;
using Npgsql;
using Testcontainers.PostgreSql;
using Xunit;
#else
using Microsoft.Data.Sqlite;
#endif

namespace Company.Starter.Testing;

#if (UsePostgres)
/// <summary>
/// The PostgreSQL server the tests run against, found in this order: the connection string in
/// <c>FULLSTACK_TEST_POSTGRES</c> (its role must be allowed to create databases); a Testcontainers container when
/// Docker is available; otherwise every test that asks for a database is skipped with a reason naming the variable.
/// Each test gets a database of its own, so tests run in parallel without seeing each other's rows.
/// </summary>
public sealed class DatabaseServer : IAsyncDisposable
{
    public const string Variable = "FULLSTACK_TEST_POSTGRES";

    private readonly SemaphoreSlim _gate = new(1, 1);
    private PostgreSqlContainer? _container;
    private string? _serverConnectionString;
    private string? _skipReason;

    public async Task<TestDatabase> CreateDatabaseAsync(CancellationToken cancellationToken = default)
    {
        var server = await ResolveServerAsync(cancellationToken);
        var name = $"test_{Guid.NewGuid():N}";

        await using (var admin = new NpgsqlConnection(server))
        {
            await admin.OpenAsync(cancellationToken);
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", admin);
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        var database = new NpgsqlConnectionStringBuilder(server) { Database = name, Pooling = true }.ConnectionString;
        return new TestDatabase(database, async () =>
        {
            NpgsqlConnection.ClearAllPools();
            await using var admin = new NpgsqlConnection(server);
            await admin.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", admin);
            await drop.ExecuteNonQueryAsync();
        });
    }

    private async Task<string> ResolveServerAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_serverConnectionString is null && _skipReason is null)
            {
                var configured = Environment.GetEnvironmentVariable(Variable);
                if (!string.IsNullOrWhiteSpace(configured))
                {
                    _serverConnectionString = configured;
                }
                else if (TestcontainersSettings.OS.DockerEndpointAuthConfig is not null)
                {
                    _container = new PostgreSqlBuilder("postgres:17-alpine").Build();
                    await _container.StartAsync(cancellationToken);
                    _serverConnectionString = _container.GetConnectionString();
                }
                else
                {
                    _skipReason = $"No PostgreSQL to test against: set {Variable} to a connection string whose role can CREATE DATABASE, or make Docker available for Testcontainers.";
                }
            }
        }
        finally
        {
            _gate.Release();
        }

        Assert.SkipWhen(_skipReason is not null, _skipReason ?? string.Empty);
        return _serverConnectionString!;
    }

    public async ValueTask DisposeAsync()
    {
        if (_container is not null)
        {
            await _container.DisposeAsync();
        }

        _gate.Dispose();
    }
}
#else
/// <summary>
/// SQLite needs no server: each test gets a database file of its own in a temporary folder, removed afterwards.
/// </summary>
public sealed class DatabaseServer : IAsyncDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("company_starter-tests-").FullName;

    public Task<TestDatabase> CreateDatabaseAsync(CancellationToken cancellationToken = default)
    {
        var path = Path.Combine(_folder, $"test_{Guid.NewGuid():N}.db");
        var connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ConnectionString;
        return Task.FromResult(new TestDatabase(connectionString, () =>
        {
            File.Delete(path);
            return ValueTask.CompletedTask;
        }));
    }

    public ValueTask DisposeAsync()
    {
        Directory.Delete(_folder, recursive: true);
        return ValueTask.CompletedTask;
    }
}
#endif
