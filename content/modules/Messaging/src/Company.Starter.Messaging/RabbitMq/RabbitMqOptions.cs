using System.ComponentModel.DataAnnotations;

namespace Company.Starter.Messaging.RabbitMq;

/// <summary>
/// The <c>Messaging:RabbitMq</c> section. The broker's address is <c>ConnectionStrings:rabbitmq</c>, an AMQP URI
/// (<c>amqp://user:password@host:5672/vhost</c>), which is where Aspire and most hosts put it.
/// </summary>
public sealed class RabbitMqOptions : IValidatableObject
{
    public const string SectionName = "Messaging:RabbitMq";

    /// <summary>
    /// The broker's AMQP URI. Left empty, it is read from <c>ConnectionStrings:rabbitmq</c>. Keep passwords out of
    /// appsettings.json: use user-secrets or the environment (<c>ConnectionStrings__rabbitmq</c>).
    /// </summary>
    [Required(ErrorMessage = "Set ConnectionStrings:rabbitmq (or Messaging:RabbitMq:ConnectionString) to the broker's AMQP URI, e.g. amqp://guest:guest@localhost:5672/.")]
    public string? ConnectionString { get; set; }

    /// <summary>
    /// How many unacknowledged messages the broker sends a consumer ahead of the one being handled. Messages are still
    /// handled one at a time; a larger window only saves round trips. Everything in it is redelivered if the consumer dies.
    /// </summary>
    [Range(1, 1000)]
    public ushort Prefetch { get; set; } = 50;

    /// <summary>
    /// The queues' <c>x-delivery-limit</c>: how many times the broker may take a message back unacknowledged (a
    /// consumer's channel closed under it: a worker restarting or crashing, a subscription ended by a database outage)
    /// before it gives up on it and moves it to the destination's dead-letter queue (<c>&lt;name&gt;.dlq</c>, headers
    /// kept, with the broker's <c>x-death</c>). Explicit because RabbitMQ 4 otherwise applies 20, and without a
    /// dead-letter target the broker would drop the message. The consumer's own retries
    /// (<c>Messaging:Consumer:MaxAttempts</c>) happen while it holds the delivery and do not count here; the limit must
    /// still exceed them (checked at start), so that a message returned once per attempt is dead-lettered by the
    /// consumer, with the error and the attempts, before the broker steps in. RabbitMQ does not change an existing
    /// queue's arguments: a new value applies to new queues (or set it with a <c>delivery-limit</c> policy).
    /// </summary>
    [Range(1, 1_000_000, ErrorMessage = "Messaging:RabbitMq:DeliveryLimit must be between 1 and 1000000.")]
    public int DeliveryLimit { get; set; } = 100;

    /// <summary>How long a publish may wait for the connection and the broker's confirms before it counts as failed.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long opening the connection may take (TCP and AMQP handshake) before it counts as failed.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:02:00")]
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (ConnectionString is { Length: > 0 } value
            && (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme is not ("amqp" or "amqps")))
        {
            yield return new ValidationResult(
                "ConnectionStrings:rabbitmq must be an AMQP URI (amqp:// or amqps://), e.g. amqp://guest:guest@localhost:5672/.",
                [nameof(ConnectionString)]);
        }
    }
}
