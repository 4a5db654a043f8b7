using Microsoft.Data.Sqlite;

namespace Company.Starter.Testing;

// The SQLite "server" the tests use (DatabaseServer.Postgres.cs is PostgreSQL's, with the same members): the template
// keeps the file of the database the solution was made with.

/// <summary>
/// SQLite needs no server: each test gets a database file of its own in a temporary folder, removed afterwards.
/// </summary>
public sealed class DatabaseServer : IAsyncDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("company_starter-tests-").FullName;

    /// <summary>A database file of its own; SQLite creates it on first use.</summary>
    public Task<TestDatabase> CreateDatabaseAsync(CancellationToken cancellationToken = default) => ReserveDatabaseAsync(cancellationToken);

    /// <summary>A database SQLite cannot open: a file in a folder that does not exist.</summary>
    public static string UnreachableConnectionString() =>
        $"Data Source={Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}", "app.db")}";

    /// <summary>A database file that does not exist yet, as on a first run; deleted on dispose if something created it.</summary>
    public Task<TestDatabase> ReserveDatabaseAsync(CancellationToken cancellationToken = default)
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
