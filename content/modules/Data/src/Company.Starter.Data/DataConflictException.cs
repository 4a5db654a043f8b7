namespace Company.Starter.Data;

/// <summary>
/// A write that the current state of the database refuses: a stale version or a duplicate key.
/// <see cref="Code"/> is stable and machine-readable; the HTTP layer turns it into a 409 problem.
/// </summary>
public sealed class DataConflictException(string code, string message, Exception? innerException = null)
    : Exception(message, innerException)
{
    public const string ConcurrencyConflict = "concurrency_conflict";
    public const string DuplicateKey = "duplicate_key";
    public const string InUse = "in_use";

    public string Code { get; } = code;
}
