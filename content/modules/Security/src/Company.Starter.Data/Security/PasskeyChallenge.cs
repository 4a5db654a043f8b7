namespace Company.Starter.Data.Security;

/// <summary>
/// A passkey ceremony's challenge, by its SHA-256: recorded when the options are issued, and deleted by the one answer
/// that uses it. An answer whose challenge is not here (never issued, already answered, or expired) is refused on every
/// instance, whatever the client sends along with it.
/// </summary>
public sealed class PasskeyChallenge
{
    public required byte[] ChallengeHash { get; set; }

    /// <summary>When the ceremony's time is up (the authenticator timeout of its options); later answers are refused.</summary>
    public DateTime ExpiresAt { get; set; }
}
