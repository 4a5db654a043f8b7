using System.Security.Cryptography;
using System.Text;
using Company.Starter.Data.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Company.Starter.Api.Security.Tokens;

/// <summary>
/// Opaque refresh tokens, stored as SHA-256 hashes, rotated on every use. A token presented after it was used
/// (or while it is being used) is treated as stolen: its whole family (every token of that sign-in) is revoked.
/// </summary>
public sealed partial class RefreshTokens(SecurityDbContext db, IOptions<TokenOptions> options, TimeProvider clock, ILogger<RefreshTokens> logger)
{
    /// <summary>Starts a new sign-in: the first token of a new family.</summary>
    public async Task<IssuedRefreshToken> StartAsync(string userId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        return await AddAsync(userId, Guid.NewGuid(), now + options.Value.SignInLifetime, now, cancellationToken);
    }

    /// <summary>Exchanges a refresh token for its successor.</summary>
    public async Task<RefreshResult> RotateAsync(string presented, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var hash = Hash(presented);
        var token = await db.RefreshTokens.AsNoTracking().SingleOrDefaultAsync(t => t.TokenHash == hash, cancellationToken);
        if (token is null || token.RevokedAt is not null)
        {
            return RefreshResult.Invalid;
        }

        if (token.ConsumedAt is not null)
        {
            await RevokeFamilyAsync(token.FamilyId, cancellationToken);
            LogReuse(logger, token.FamilyId, token.UserId);
            return RefreshResult.Reused;
        }

        if (token.ExpiresAt <= now || token.FamilyExpiresAt <= now)
        {
            return RefreshResult.Invalid;
        }

        // Consume it in one conditional statement: of two requests racing with the same token, exactly one wins,
        // and the loser is a reuse.
        var consumed = await db.RefreshTokens
            .Where(t => t.Id == token.Id && t.ConsumedAt == null && t.RevokedAt == null)
            .ExecuteUpdateAsync(set => set.SetProperty(t => t.ConsumedAt, now), cancellationToken);
        if (consumed == 0)
        {
            await RevokeFamilyAsync(token.FamilyId, cancellationToken);
            LogReuse(logger, token.FamilyId, token.UserId);
            return RefreshResult.Reused;
        }

        var successor = await AddAsync(token.UserId, token.FamilyId, token.FamilyExpiresAt, now, cancellationToken);
        return RefreshResult.Rotated(token.UserId, successor);
    }

    /// <summary>Signs out the sign-in a token belongs to, if the token is known.</summary>
    public async Task RevokeAsync(string presented, CancellationToken cancellationToken)
    {
        var hash = Hash(presented);
        var family = await db.RefreshTokens.Where(t => t.TokenHash == hash).Select(t => (Guid?)t.FamilyId).SingleOrDefaultAsync(cancellationToken);
        if (family is { } familyId)
        {
            await RevokeFamilyAsync(familyId, cancellationToken);
        }
    }

    /// <summary>Ends every sign-in of a user (after a password change, say): all their live refresh tokens stop working.</summary>
    public Task<int> RevokeUserAsync(string userId, CancellationToken cancellationToken) =>
        RevokeAsync(db.RefreshTokens.Where(t => t.UserId == userId), cancellationToken);

    public Task<int> RevokeFamilyAsync(Guid familyId, CancellationToken cancellationToken) =>
        RevokeAsync(db.RefreshTokens.Where(t => t.FamilyId == familyId), cancellationToken);

    /// <summary>Marks the live ones of <paramref name="tokens"/> revoked, in one statement.</summary>
    private Task<int> RevokeAsync(IQueryable<RefreshToken> tokens, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        return tokens.Where(t => t.RevokedAt == null).ExecuteUpdateAsync(set => set.SetProperty(t => t.RevokedAt, now), cancellationToken);
    }

    private async Task<IssuedRefreshToken> AddAsync(string userId, Guid familyId, DateTime familyExpiresAt, DateTime now, CancellationToken cancellationToken)
    {
        var value = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        var expiresAt = Min(now + options.Value.RefreshTokenLifetime, familyExpiresAt);
        db.RefreshTokens.Add(new RefreshToken
        {
            Id = Guid.CreateVersion7(),
            FamilyId = familyId,
            UserId = userId,
            TokenHash = Hash(value),
            CreatedAt = now,
            ExpiresAt = expiresAt,
            FamilyExpiresAt = familyExpiresAt,
        });
        await db.SaveChangesAsync(cancellationToken);
        db.ChangeTracker.Clear();
        return new IssuedRefreshToken(value, familyId, new DateTimeOffset(expiresAt, TimeSpan.Zero));
    }

    /// <summary>
    /// Deletes the tokens of sign-ins that have ended (their family's end has passed): none of them works any more,
    /// and one presented again is refused as unknown just as it was as expired. Tokens of live sign-ins stay, used
    /// ones included: they are what reveals a stolen copy presented after the rightful client used it.
    /// </summary>
    public Task<int> DeleteEndedAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        return db.RefreshTokens.Where(t => t.FamilyExpiresAt < now).ExecuteDeleteAsync(cancellationToken);
    }

    private static DateTime Min(DateTime a, DateTime b) => a < b ? a : b;

    private static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    [LoggerMessage(Level = LogLevel.Warning, Message = "A used refresh token was presented again: sign-in {FamilyId} of user {UserId} is revoked")]
    private static partial void LogReuse(ILogger logger, Guid familyId, string userId);
}

public sealed record IssuedRefreshToken(string Token, Guid FamilyId, DateTimeOffset ExpiresAt);

public sealed record RefreshResult(RefreshOutcome Outcome, string? UserId, IssuedRefreshToken? Successor)
{
    public static readonly RefreshResult Invalid = new(RefreshOutcome.Invalid, null, null);
    public static readonly RefreshResult Reused = new(RefreshOutcome.Reused, null, null);

    public static RefreshResult Rotated(string userId, IssuedRefreshToken successor) => new(RefreshOutcome.Rotated, userId, successor);
}

public enum RefreshOutcome
{
    Rotated,
    Invalid,
    Reused,
}
