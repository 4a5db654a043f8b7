using Npgsql;

namespace Company.Starter.Messaging.Outbox;

// PostgreSQL's relay lease (RelayLease.Sqlite.cs is SQLite's, with the same members): the template keeps the file of
// the database the solution was made with.

/// <summary>
/// The right to be the one relay that publishes this database's outbox: a session-level advisory lock, held on a
/// connection of its own for as long as the relay is active. Two worker replicas never publish at the same time, so the
/// events of one key reach the broker in the order they were written. When the active worker dies, even by SIGKILL, its
/// session ends and PostgreSQL releases the lock: a standby takes over at its next try.
/// </summary>
internal sealed class RelayLease : IAsyncDisposable
{
    /// <summary>The advisory lock's key: any fixed number, the same in every replica of the app.</summary>
    private const long LockKey = 0x4F7574626F78; // "Outbox"

    private readonly NpgsqlConnection _connection;

    private RelayLease(NpgsqlConnection connection) => _connection = connection;

    /// <summary>The lease, or null when another relay holds it.</summary>
    public static async Task<RelayLease?> TryAcquireAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var dataSource = (NpgsqlDataSource)services.GetService(typeof(NpgsqlDataSource))!;
        var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var command = new NpgsqlCommand("SELECT pg_try_advisory_lock(@key)", connection);
            command.Parameters.AddWithValue("key", LockKey);
            if (await command.ExecuteScalarAsync(cancellationToken) is true)
            {
                return new RelayLease(connection);
            }
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }

        await connection.DisposeAsync();
        return null;
    }

    /// <summary>Throws when the lease's session is gone (the connection broke): the lock went with it.</summary>
    public async Task EnsureHeldAsync(CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT 1", _connection);
        await command.ExecuteScalarAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        // A pooled connection keeps its session (and the lock) when closed, so release the lock explicitly. If that
        // fails the session is broken, and a broken session's locks are gone with it.
        try
        {
            await using var command = new NpgsqlCommand("SELECT pg_advisory_unlock(@key)", _connection);
            command.Parameters.AddWithValue("key", LockKey);
            await command.ExecuteScalarAsync(CancellationToken.None);
        }
        catch (Exception exception) when (exception is NpgsqlException or InvalidOperationException or ObjectDisposedException)
        {
            NpgsqlConnection.ClearPool(_connection);
        }

        await _connection.DisposeAsync();
    }
}
