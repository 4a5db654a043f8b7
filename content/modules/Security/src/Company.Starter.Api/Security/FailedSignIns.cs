using Company.Starter.Data.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Company.Starter.Api.Security;

/// <summary>
/// Counts a wrong password toward the lockout in one UPDATE statement that the database applies atomically, so
/// concurrent guesses each count. Identity's <c>AccessFailedAsync</c> reads the count, adds one and writes the row back
/// under its concurrency stamp: of guesses sent together, all but one fail on the stamp without counting, and an
/// attacker who sends them in parallel never reaches the limit.
/// </summary>
internal static class FailedSignIns
{
    /// <summary>
    /// Adds one failure; the one that reaches <see cref="LockoutOptions.MaxFailedAccessAttempts"/> locks the account for
    /// <see cref="LockoutOptions.DefaultLockoutTimeSpan"/> and starts the count again, as Identity does. The stamp
    /// changes too, so that a write of the row read before (a sign-in resetting the count) fails instead of undoing it.
    /// </summary>
    /// <returns>Whether the account is locked now.</returns>
    public static async Task<bool> RecordAsync(
        SecurityDbContext db, UserManager<AppUser> users, AppUser user, TimeProvider clock, CancellationToken cancellationToken)
    {
        var lockout = users.Options.Lockout;
        var limit = lockout.MaxFailedAccessAttempts;
        DateTimeOffset? lockedUntil = clock.GetUtcNow() + lockout.DefaultLockoutTimeSpan;
        var stamp = Guid.NewGuid().ToString();

        // Every right-hand side reads the row as it was before this statement: the count and the lock move together.
        await db.Users
            .Where(account => account.Id == user.Id && account.LockoutEnabled)
            .ExecuteUpdateAsync(
                update => update
                    .SetProperty(account => account.LockoutEnd, account => account.AccessFailedCount + 1 >= limit ? lockedUntil : account.LockoutEnd)
                    .SetProperty(account => account.AccessFailedCount, account => account.AccessFailedCount + 1 >= limit ? 0 : account.AccessFailedCount + 1)
                    .SetProperty(account => account.ConcurrencyStamp, stamp),
                cancellationToken);

        // The statement bypassed the tracked user: read the row again, so the rest of the request sees the new state.
        await db.Entry(user).ReloadAsync(cancellationToken);
        return await users.IsLockedOutAsync(user);
    }
}
