namespace Company.Starter.Messaging.Transport;

/// <summary>
/// What the outbox relay and the consumers ask of a broker, and nothing more: publish with the broker's confirmation,
/// receive with an acknowledgement after the message's effect committed. One implementation per broker lives in its own
/// folder (Kafka/, RabbitMq/, Nats/); the template keeps the one the solution was generated with.
/// </summary>
public interface IMessageTransport
{
    /// <summary>The OpenTelemetry <c>messaging.system</c> of the broker: <c>kafka</c>, <c>rabbitmq</c> or <c>nats</c>.</summary>
    string System { get; }

    /// <summary>
    /// Publishes the messages, in order per <see cref="TransportMessage.Key"/>, and returns only once the broker has
    /// confirmed every one of them (Kafka: acks=all on an idempotent producer; RabbitMQ: a publisher confirm for a
    /// persistent message on a durable queue; NATS: the JetStream PubAck). Throws when any one was not confirmed: the
    /// caller then publishes the whole batch again, which consumers (and JetStream's de-duplication) absorb.
    /// </summary>
    Task PublishAsync(IReadOnlyList<TransportMessage> messages, CancellationToken cancellationToken);

    /// <summary>
    /// Receives the messages of <paramref name="destination"/> as a member of <paramref name="consumerGroup"/> until
    /// <paramref name="cancellationToken"/> is cancelled, handing them to <paramref name="handle"/> one at a time and in
    /// order per key. A message is acknowledged (its offset committed, its delivery acked) only after
    /// <paramref name="handle"/> returned; if <paramref name="handle"/> throws, the message is not acknowledged and the
    /// exception ends the subscription (the broker redelivers it to whoever subscribes next). Retries and dead letters
    /// are the handler's business, not the transport's.
    /// </summary>
    Task SubscribeAsync(
        string destination,
        string consumerGroup,
        Func<ReceivedMessage, CancellationToken, Task> handle,
        CancellationToken cancellationToken);

    /// <summary>
    /// As <see cref="SubscribeAsync"/>, but hands over up to <paramref name="maxBatchSize"/> messages at once: those the
    /// broker already has ready behind the first, in the order they were received (so in order per key), never waiting
    /// for a batch to fill. Every message of a batch is acknowledged only after <paramref name="handle"/> returned for
    /// the whole batch; if it throws, none of them is, and the exception ends the subscription as in
    /// <see cref="SubscribeAsync"/>. A consumer can then commit a batch's effects in one transaction instead of one per
    /// message.
    /// </summary>
    /// <remarks>
    /// The default delivers batches of one through <see cref="SubscribeAsync"/>: a broker whose transport does not
    /// batch behaves exactly as it does for single messages.
    /// </remarks>
    Task SubscribeBatchesAsync(
        string destination,
        string consumerGroup,
        int maxBatchSize,
        Func<IReadOnlyList<ReceivedMessage>, CancellationToken, Task> handle,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handle);
        return SubscribeAsync(destination, consumerGroup, (message, ct) => handle([message], ct), cancellationToken);
    }

    /// <summary>Where the dead letters of <paramref name="destination"/> go (e.g. <c>orders.dlq</c>).</summary>
    string DeadLetterDestination(string destination);
}

/// <summary>
/// A message as the broker carries it: the event's data as bytes, and its CloudEvents attributes and W3C trace
/// context as headers (binary content mode: <c>ce_id</c>, <c>ce_type</c>, ..., <c>traceparent</c>).
/// </summary>
/// <param name="Destination">The logical destination (<c>orders</c>): a Kafka topic, a RabbitMQ queue, a NATS subject.</param>
/// <param name="Key">The ordering key: messages with the same key are delivered in the order they were published.</param>
/// <param name="MessageId">The CloudEvents id: unique per event, the key of de-duplication (JetStream's Nats-Msg-Id, the inbox).</param>
/// <param name="Body">The event's data (JSON).</param>
/// <param name="Headers">CloudEvents attributes, trace context and anything else that travels beside the data.</param>
public sealed record TransportMessage(
    string Destination,
    string Key,
    string MessageId,
    ReadOnlyMemory<byte> Body,
    IReadOnlyDictionary<string, string> Headers);

/// <summary>A message as a consumer receives it.</summary>
/// <param name="Message">What was published.</param>
/// <param name="Coordinates">
/// Where the broker kept it, for the dead-letter record and the consumer span, under OpenTelemetry's attribute names
/// where one exists: Kafka <c>messaging.destination.name</c>, <c>messaging.destination.partition.id</c>,
/// <c>messaging.kafka.offset</c>; RabbitMQ <c>messaging.destination.name</c> (the queue),
/// <c>messaging.rabbitmq.delivery_tag</c>; NATS <c>messaging.destination.name</c> (the subject), <c>nats.stream</c>,
/// <c>nats.sequence</c>.
/// </param>
/// <param name="DeliveryCount">How many times the broker has delivered it (1 the first time) where the broker counts; else 1.</param>
public sealed record ReceivedMessage(
    TransportMessage Message,
    IReadOnlyDictionary<string, string> Coordinates,
    int DeliveryCount);
