using System.Data.Common;
using System.Net.Sockets;
using Microsoft.EntityFrameworkCore;

namespace Company.Starter.Data;

/// <summary>What a provider's exceptions mean, so that callers above the data layer need not know the provider.</summary>
/// <remarks>
/// The error codes are the provider's: each reading of them is in DatabaseErrors.&lt;Provider&gt;.cs, of which the
/// solution keeps the one of its database.
/// </remarks>
public static partial class DatabaseErrors
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
                case SocketException:
                case TimeoutException:
                    return true;
                case var _ when IsProviderUnavailable(current):
                    return true;
            }
        }

        return false;
    }

    /// <summary>True when a delete (or update) was refused because other rows still refer to the row.</summary>
    public static bool IsForeignKeyViolation(Exception exception) =>
        IsProviderForeignKeyViolation(exception is DbUpdateException { InnerException: { } inner } ? inner : exception);

    /// <summary>True when an insert (or update) was refused because another row already has one of its unique keys.</summary>
    public static bool IsUniqueViolation(DbUpdateException exception) =>
        exception.InnerException is { } inner && IsProviderUniqueViolation(inner);

    /// <summary>
    /// True when a write failed because another connection was writing at the time: the same write may succeed a
    /// moment later.
    /// </summary>
    internal static bool IsBusy(DbUpdateException exception) =>
        exception.InnerException is { } inner && IsProviderBusy(inner);

    /// <summary>The provider's own way of saying "unreachable or too busy", beyond the transient errors above.</summary>
    private static partial bool IsProviderUnavailable(Exception exception);

    private static partial bool IsProviderForeignKeyViolation(Exception exception);

    private static partial bool IsProviderUniqueViolation(Exception exception);

    private static partial bool IsProviderBusy(Exception exception);
}
