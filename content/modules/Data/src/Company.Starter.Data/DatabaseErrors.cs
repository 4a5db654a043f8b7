using System.Data.Common;
using System.Net.Sockets;
using Microsoft.EntityFrameworkCore;
#if (UsePostgres)
using Npgsql;
#endif
#if (UseSqlite)
using Microsoft.Data.Sqlite;
#endif

namespace Company.Starter.Data;

/// <summary>What a provider's exceptions mean, so that callers above the data layer need not know the provider.</summary>
public static class DatabaseErrors
{
    /// <summary>
    /// True when the database could not be reached or was too busy to answer: the request may succeed if retried
    /// later (HTTP 503), as opposed to a bug or a refused write.
    /// </summary>
    public static bool IsUnavailable(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                case DataConflictException:
                    return false;
                case DbException { IsTransient: true }:
#if (UseSqlite)
                // SQLITE_BUSY (5) and SQLITE_LOCKED (6): another writer held the file for longer than the command timeout.
                case SqliteException { SqliteErrorCode: 5 or 6 }:
#endif
                case SocketException:
                case TimeoutException:
#if (UsePostgres)
                case NpgsqlException { InnerException: IOException or SocketException or TimeoutException }:
#endif
                    return true;
            }
        }

        return false;
    }

    /// <summary>True when a delete (or update) was refused because other rows still refer to the row.</summary>
    public static bool IsForeignKeyViolation(Exception exception) =>
        (exception is DbUpdateException { InnerException: { } inner } ? inner : exception) switch
    {
#if (UsePostgres)
        PostgresException postgres => postgres.SqlState == PostgresErrorCodes.ForeignKeyViolation,
#endif
#if (UseSqlite)
        // SQLITE_CONSTRAINT (19) from a foreign key: ON DELETE RESTRICT reports it without the FOREIGNKEY extended code
        // (787), so the message is what tells it from the other constraints.
        SqliteException sqlite => sqlite.SqliteExtendedErrorCode == 787
            || (sqlite.SqliteErrorCode == 19 && sqlite.Message.Contains("FOREIGN KEY", StringComparison.Ordinal)),
#endif
        _ => false,
    };

    public static bool IsUniqueViolation(DbUpdateException exception) => exception.InnerException switch
    {
#if (UsePostgres)
        PostgresException postgres => postgres.SqlState == PostgresErrorCodes.UniqueViolation,
#endif
#if (UseSqlite)
        // SQLITE_CONSTRAINT_UNIQUE (2067) and SQLITE_CONSTRAINT_PRIMARYKEY (1555).
        SqliteException sqlite => sqlite.SqliteExtendedErrorCode is 2067 or 1555,
#endif
        _ => false,
    };
}
