using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Company.Starter.Data.Idempotency;

/// <summary>The answer to <see cref="IdempotencyStore.BeginAsync"/>.</summary>
/// <param name="Started">True when this request now holds the key and must run, then complete or release it.</param>
/// <param name="Existing">
/// When not started: the record someone else holds (in progress, or completed with a response to replay), or null
/// when the key kept changing hands (treat it as in progress).
/// </param>
public sealed record IdempotencyBegin(bool Started, IdempotencyRecord? Existing);

/// <summary>The response stored for a key, replayed to retries.</summary>
public sealed record IdempotentResponse(int StatusCode, string? ContentType, string? Location, string? ETag, byte[] Body);

/// <summary>
/// Records idempotency keys and the responses they got, durably in the database. The unique key is what makes two
/// racing requests with one key run once: the first insert wins; the other sees a unique violation and the winner's record.
/// </summary>
/// <remarks>
/// Writes use ExecuteUpdate/ExecuteDelete and detach what they insert, so the request's own <see cref="AppDbContext"/>
/// (shared with the handler) never saves an idempotency row by accident.
/// </remarks>
public sealed class IdempotencyStore(AppDbContext db, TimeProvider clock, IOptions<IdempotencyOptions> options)
{
    private const int MaxAttempts = 5;
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(50);

    /// <summary>Claims <paramref name="key"/> of <paramref name="scope"/> (the caller) for a request, or returns who has it.</summary>
    public async Task<IdempotencyBegin> BeginAsync(string scope, string key, string fingerprint, CancellationToken cancellationToken = default)
    {
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var now = clock.GetUtcNow().UtcDateTime;

            // Reading first keeps the common retry free of a failed insert (which EF Core logs as an error).
            var existing = await db.IdempotencyRecords.AsNoTracking().FirstOrDefaultAsync(r => r.Scope == scope && r.Key == key, cancellationToken);
            if (existing is not null)
            {
                if (!IsStale(existing, now))
                {
                    return new IdempotencyBegin(false, existing);
                }

                await DeleteIfStaleAsync(scope, key, now, cancellationToken);
            }

            var record = new IdempotencyRecord { Scope = scope, Key = key, Fingerprint = fingerprint, CreatedAt = now };
            var entry = db.IdempotencyRecords.Add(record);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                return new IdempotencyBegin(true, null);
            }
            catch (DbUpdateException exception) when (DatabaseErrors.IsUniqueViolation(exception))
            {
                // Another request inserted the key between our read and our insert: read it on the next attempt.
            }
            catch (DbUpdateException exception) when (DatabaseErrors.IsBusy(exception) && attempt < MaxAttempts - 1)
            {
                // SQLite allows one writer at a time and may answer "database is locked" to a racing insert; the row,
                // if any, is there to read a moment later.
                await Task.Delay(RetryDelay, clock, cancellationToken);
            }
            finally
            {
                entry.State = EntityState.Detached;
            }
        }

        return new IdempotencyBegin(false, null);
    }

    /// <summary>Stores the response of the request that holds <paramref name="key"/>; retries get it from now on.</summary>
    public Task CompleteAsync(string scope, string key, IdempotentResponse response, CancellationToken cancellationToken = default)
    {
        // Known limits, accepted here: a request that outlives InProgressTimeout may complete the record of the retry that
        // took its key over; and if this write fails after the handler committed, the key stays "in progress" until
        // InProgressTimeout and a later retry runs again. Closing both needs the handler's write and this one in a transaction.
        var now = clock.GetUtcNow().UtcDateTime;
        return db.IdempotencyRecords
            .Where(r => r.Scope == scope && r.Key == key && r.CompletedAt == null)
            .ExecuteUpdateAsync(
                set => set
                    .SetProperty(r => r.CompletedAt, now)
                    .SetProperty(r => r.StatusCode, response.StatusCode)
                    .SetProperty(r => r.ContentType, response.ContentType)
                    .SetProperty(r => r.Location, response.Location)
                    .SetProperty(r => r.ETag, response.ETag)
                    .SetProperty(r => r.ResponseBody, response.Body),
                cancellationToken);
    }

    /// <summary>Gives <paramref name="key"/> up without a response (the request failed), so that a retry runs again.</summary>
    public Task ReleaseAsync(string scope, string key, CancellationToken cancellationToken = default) =>
        db.IdempotencyRecords.Where(r => r.Scope == scope && r.Key == key && r.CompletedAt == null).ExecuteDeleteAsync(cancellationToken);

    private bool IsStale(IdempotencyRecord record, DateTime now) => record.CompletedAt is null
        ? record.CreatedAt < now - options.Value.InProgressTimeout
        : record.CreatedAt < now - options.Value.Retention;

    /// <summary>
    /// Deletes the key's record only if it is still stale, so that of several requests taking an expired key over, none
    /// deletes the fresh record another has just inserted.
    /// </summary>
    private Task<int> DeleteIfStaleAsync(string scope, string key, DateTime now, CancellationToken cancellationToken)
    {
        var abandonedBefore = now - options.Value.InProgressTimeout;
        var expiredBefore = now - options.Value.Retention;
        return db.IdempotencyRecords
            .Where(r => r.Scope == scope && r.Key == key
                && ((r.CompletedAt == null && r.CreatedAt < abandonedBefore) || (r.CompletedAt != null && r.CreatedAt < expiredBefore)))
            .ExecuteDeleteAsync(cancellationToken);
    }
}
