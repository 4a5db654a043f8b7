using System.ComponentModel.DataAnnotations;

namespace Company.Starter.Messaging.Nats;

/// <summary>
/// The <c>Messaging:Nats</c> section. The server's address is <c>ConnectionStrings:nats</c>, a NATS URL
/// (<c>nats://host:4222</c>, or <c>nats://user:password@host:4222</c>), which is where Aspire and most hosts put it.
/// </summary>
public sealed class NatsOptions : IValidatableObject
{
    public const string SectionName = "Messaging:Nats";

    /// <summary>
    /// The server's URL (several separated by commas). Left empty, it is read from <c>ConnectionStrings:nats</c>. Keep
    /// credentials out of appsettings.json: use user-secrets or the environment (<c>ConnectionStrings__nats</c>).
    /// </summary>
    [Required(ErrorMessage = "Set ConnectionStrings:nats (or Messaging:Nats:ConnectionString) to the NATS server's URL, e.g. nats://localhost:4222.")]
    public string? ConnectionString { get; set; }

    /// <summary>
    /// How long JetStream remembers a message id (<c>Nats-Msg-Id</c>) to drop a second publish of it: at least as long
    /// as a relay takes to publish a batch again after a crash between the broker's ack and marking it sent.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan DuplicateWindow { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How long a stream keeps its messages, acknowledged or not (a replay window, and a bound on disk use).</summary>
    [Range(typeof(TimeSpan), "00:01:00", "365.00:00:00")]
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// How long the server waits for a delivered message's ack before it delivers it again: what a consumer that died
    /// holding a message costs. Longer than the slowest handling of one message.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan AckWait { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a publish may wait for the connection and the streams' acks before it counts as failed.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long opening the connection may take before it counts as failed.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:02:00")]
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (ConnectionString is { Length: > 0 } value
            && value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Any(url => !Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("nats" or "tls" or "ws" or "wss")))
        {
            yield return new ValidationResult(
                "ConnectionStrings:nats must be a NATS URL (nats://, tls://, ws:// or wss://), e.g. nats://localhost:4222.",
                [nameof(ConnectionString)]);
        }
    }
}
