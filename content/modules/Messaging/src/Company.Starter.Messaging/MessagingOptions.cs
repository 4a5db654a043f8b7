using System.ComponentModel.DataAnnotations;

namespace Company.Starter.Messaging;

/// <summary>
/// The <c>Messaging</c> section: where the orders' events go and who consumes them. The relay's, the consumers' and
/// the broker's own settings are sections under it (<c>Messaging:Relay</c>, <c>Messaging:Consumer</c>,
/// <c>Messaging:Kafka</c> ...); the broker's address is the connection string named after it
/// (<c>ConnectionStrings:kafka</c>, <c>rabbitmq</c> or <c>nats</c>).
/// </summary>
public sealed class MessagingOptions
{
    public const string SectionName = "Messaging";

    /// <summary>The destination the orders' events are published to (a Kafka topic, a RabbitMQ queue, a NATS subject).</summary>
    [Required]
    [RegularExpression("^[a-z0-9][a-z0-9_-]{0,99}$", ErrorMessage = "Messaging:OrdersDestination must be 1-100 lower-case letters, digits, '-' or '_'.")]
    public string OrdersDestination { get; set; } = "orders";

    /// <summary>The consumer group (Kafka group id, RabbitMQ consumer tag prefix, JetStream durable name) of the worker.</summary>
    [Required]
    [RegularExpression("^[a-z0-9][a-z0-9_-]{0,99}$", ErrorMessage = "Messaging:ConsumerGroup must be 1-100 lower-case letters, digits, '-' or '_'.")]
    public string ConsumerGroup { get; set; } = "order-receipts";
}
