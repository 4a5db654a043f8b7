namespace Company.Starter.Data.Idempotency;

/// <summary>
/// One <c>Idempotency-Key</c> a client sent with an unsafe request, and the response it got. While
/// <see cref="CompletedAt"/> is null the first request is still running; once set, retries get the stored response.
/// </summary>
/// <remarks>
/// Keys are scoped by caller (<see cref="Scope"/>): two users who happen to send the same key (and body) each get their
/// own request run and their own response replayed, never the other's.
/// </remarks>
public sealed class IdempotencyRecord
{
    /// <summary>
    /// Whose key it is: <c>user:</c> and the signed-in user's id, or empty for anonymous callers (who share one key
    /// space, as without authentication there is nothing to tell them apart; their keys should be random, as the draft asks).
    /// </summary>
    public string Scope { get; set; } = string.Empty;

    /// <summary>The client's key, 1 to 255 printable ASCII characters, compared exactly.</summary>
    public required string Key { get; set; }

    /// <summary>Hex SHA-256 of the request (method, path and body): a retry must send the same request.</summary>
    public required string Fingerprint { get; set; }

    /// <summary>When the first request arrived (UTC); the record expires a retention period later.</summary>
    public DateTime CreatedAt { get; set; }

    /// <summary>When the response was stored (UTC); null while the first request is in progress.</summary>
    public DateTime? CompletedAt { get; set; }

    public int? StatusCode { get; set; }

    public string? ContentType { get; set; }

    public string? Location { get; set; }

    public string? ETag { get; set; }

    /// <summary>The response body, byte for byte as first sent (before any response compression).</summary>
    public byte[]? ResponseBody { get; set; }
}
