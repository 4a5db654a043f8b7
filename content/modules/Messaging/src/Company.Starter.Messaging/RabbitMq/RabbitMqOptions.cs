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
