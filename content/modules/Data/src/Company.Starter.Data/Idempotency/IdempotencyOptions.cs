using System.ComponentModel.DataAnnotations;

namespace Company.Starter.Data.Idempotency;

/// <summary>Settings of idempotent requests (the <c>Idempotency-Key</c> header), bound from the <c>Idempotency</c> section.</summary>
public sealed class IdempotencyOptions
{
    public const string SectionName = "Idempotency";

    /// <summary>
    /// How long a key and its stored response are kept; a key older than this counts as new. Expired rows are ignored,
    /// not deleted: a periodic <c>DELETE FROM idempotency_records WHERE created_at &lt; now - retention</c> keeps the table small.
    /// </summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan Retention { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// How long a first request may hold its key without finishing before a retry may take the key over (the process
    /// that held it is presumed dead). Keep it longer than the request timeout (<c>Api:RequestTimeout</c>).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:05", "01:00:00")]
    public TimeSpan InProgressTimeout { get; set; } = TimeSpan.FromMinutes(2);
}
