namespace Company.Starter.Data.Security;

/// <summary>
/// A passkey ceremony that has been answered, by the SHA-256 of its state (the challenge Identity keeps in an
/// encrypted cookie). A second answer under the same state is a replay: the unique key refuses it on every instance.
/// </summary>
public sealed class UsedPasskeyCeremony
{
    public required byte[] StateHash { get; set; }

    public DateTime AnsweredAt { get; set; }
}
