using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace TemplatePack.Tests.Run;

/// <summary>
/// Counts what the messaging module wrote, read straight from the app's database (PostgreSQL or a SQLite file), so
/// "nothing lost, nothing doubled" is checked on the rows themselves, not on what the app says about them.
/// </summary>
public sealed class MessagingLedger(string connectionString, bool postgres)
{
    /// <summary>Orders written, receipts issued (the consumer's effect), distinct orders with a receipt, events still unsent.</summary>
    public async Task<(long Orders, long Receipts, long ReceiptedOrders, long Unsent)> CountAsync()
    {
        await using var connection = await OpenAsync();
        return (
            await ScalarAsync(connection, "SELECT COUNT(*) FROM orders"),
            await ScalarAsync(connection, "SELECT COUNT(*) FROM receipts"),
            await ScalarAsync(connection, "SELECT COUNT(DISTINCT order_id) FROM receipts"),
            await ScalarAsync(connection, "SELECT COUNT(*) FROM outbox_messages WHERE sent_at IS NULL"));
    }

    /// <summary>
    /// What the consumer recorded: its inbox rows (one per message it handled, written with the effect) and the orders it
    /// confirmed. A receipt is unique per order, so a second effect could not add a row: it would fail and be retried or
    /// dead-lettered instead; these counts (and the worker's log) are what show that no message needed that.
    /// </summary>
    public async Task<(long Inbox, long Confirmed)> CountHandledAsync()
    {
        await using var connection = await OpenAsync();
        return (
            await ScalarAsync(connection, "SELECT COUNT(*) FROM inbox_messages"),
            await ScalarAsync(connection, "SELECT COUNT(*) FROM orders WHERE status = 'Confirmed'"));
    }

    private async Task<DbConnection> OpenAsync()
    {
        DbConnection connection = postgres ? new NpgsqlConnection(connectionString) : new SqliteConnection(connectionString);
        await connection.OpenAsync();
        return connection;
    }

    private static async Task<long> ScalarAsync(DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }
}
