namespace Company.Starter.Data.Security;

/// <summary>
/// One refresh token of a sign-in. Only its SHA-256 hash is stored: a leaked table cannot be replayed. Every use
/// consumes the token and issues its successor in the same <see cref="FamilyId"/>; presenting a consumed token again
/// means it was stolen (or the client is confused), so the whole family is revoked.
/// </summary>
public sealed class RefreshToken
{
    public Guid Id { get; set; }

    /// <summary>The sign-in this token descends from; revoking it signs that session out everywhere.</summary>
    public Guid FamilyId { get; set; }

    public required string UserId { get; set; }

    /// <summary>SHA-256 of the token the client holds.</summary>
    public required byte[] TokenHash { get; set; }

    public DateTime CreatedAt { get; set; }

    /// <summary>When this token stops working unless used before.</summary>
    public DateTime ExpiresAt { get; set; }

    /// <summary>When the family ends whatever happens: rotation never extends a sign-in past it.</summary>
    public DateTime FamilyExpiresAt { get; set; }

    /// <summary>Set when the token was exchanged for its successor.</summary>
    public DateTime? ConsumedAt { get; set; }

    /// <summary>Set on sign-out and when reuse is detected, for every token of the family.</summary>
    public DateTime? RevokedAt { get; set; }
}
