using System.Data.Common;
using System.Net.Sockets;
using Npgsql;

namespace Company.Starter.Data;

// PostgreSQL's reading of database errors (DatabaseErrors.Sqlite.cs is SQLite's): error codes are the provider's, and
// the template keeps the file of the database the solution was made with, so no code here names the other provider.
public static partial class DatabaseErrors
{
    private static partial bool IsProviderUnavailable(Exception exception) =>
        exception is NpgsqlException { InnerException: IOException or SocketException or TimeoutException };

    private static partial bool IsProviderForeignKeyViolation(Exception exception) =>
        exception is PostgresException { SqlState: PostgresErrorCodes.ForeignKeyViolation };

    private static partial bool IsProviderUniqueViolation(Exception exception) =>
        exception is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };

    // PostgreSQL's row locks make concurrent writers wait rather than fail: only a transient error is worth a retry.
    private static partial bool IsProviderBusy(Exception exception) => exception is DbException { IsTransient: true };
}
