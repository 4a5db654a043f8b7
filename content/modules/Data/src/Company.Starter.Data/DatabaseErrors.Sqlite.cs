using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Company.Starter.Data;

// SQLite's reading of database errors (DatabaseErrors.Postgres.cs is PostgreSQL's): error codes are the provider's,
// and the template keeps the file of the database the solution was made with, so no code here names the other provider.
public static partial class DatabaseErrors
{
    // SQLITE_BUSY (5) and SQLITE_LOCKED (6): another writer held the file for longer than the command timeout.
    private static partial bool IsProviderUnavailable(Exception exception) =>
        exception is SqliteException { SqliteErrorCode: 5 or 6 };

    // SQLITE_CONSTRAINT (19) from a foreign key: ON DELETE RESTRICT reports it without the FOREIGNKEY extended code
    // (787), so the message is what tells it from the other constraints.
    private static partial bool IsProviderForeignKeyViolation(Exception exception) =>
        exception is SqliteException sqlite
            && (sqlite.SqliteExtendedErrorCode == 787
                || (sqlite.SqliteErrorCode == 19 && sqlite.Message.Contains("FOREIGN KEY", StringComparison.Ordinal)));

    // SQLITE_CONSTRAINT_UNIQUE (2067) and SQLITE_CONSTRAINT_PRIMARYKEY (1555).
    private static partial bool IsProviderUniqueViolation(Exception exception) =>
        exception is SqliteException { SqliteExtendedErrorCode: 2067 or 1555 };

    // SQLite allows one writer at a time: SQLITE_BUSY (5) and SQLITE_LOCKED (6) mean another connection is writing.
    private static partial bool IsProviderBusy(Exception exception) => exception switch
    {
        SqliteException sqlite => sqlite.SqliteErrorCode is 5 or 6,
        DbException db => db.IsTransient,
        _ => false,
    };
}
