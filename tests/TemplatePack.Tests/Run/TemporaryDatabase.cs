using Npgsql;

namespace TemplatePack.Tests.Run;

/// <summary>
/// A PostgreSQL database created for one test and dropped afterwards, so runs never see each other's rows
/// and a migration always starts from an empty schema.
/// </summary>
public sealed class TemporaryDatabase : IAsyncDisposable
{
    private readonly string _serverConnectionString;

    private TemporaryDatabase(string serverConnectionString, string name)
    {
        _serverConnectionString = serverConnectionString;
        Name = name;
        ConnectionString = new NpgsqlConnectionStringBuilder(serverConnectionString) { Database = name }.ConnectionString;
    }

    public string Name { get; }

    /// <summary>Connection string to this database with the server's credentials.</summary>
    public string ConnectionString { get; }

    public static async Task<TemporaryDatabase> CreateAsync(string serverConnectionString, string purpose)
    {
        var name = $"fs_{purpose.Replace('-', '_')}_{Guid.NewGuid():N}"[..40].ToLowerInvariant();
        await using var connection = new NpgsqlConnection(serverConnectionString);
        await connection.OpenAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await create.ExecuteNonQueryAsync();
        return new TemporaryDatabase(serverConnectionString, name);
    }

    /// <summary>The same database reached through another host/port (e.g. a fault-injecting proxy).</summary>
    public string ConnectionStringVia(string host, int port) =>
        new NpgsqlConnectionStringBuilder(ConnectionString) { Host = host, Port = port }.ConnectionString;

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(_serverConnectionString);
        await connection.OpenAsync();
        // FORCE: the app under test may still hold connections if it was killed mid-request.
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }
}
