namespace Company.Starter.Messaging.Outbox;

/// <summary>
/// An integration event waiting to be published, written in the same transaction as the change it announces: either
/// both are committed or neither is. The relay publishes rows in <see cref="Sequence"/> order and sets
/// <see cref="SentAt"/> only after the broker confirmed.
/// </summary>
public sealed class OutboxMessage
{
    /// <summary>The database-assigned position: the order events are published in.</summary>
    public long Sequence { get; set; }

    /// <summary>The CloudEvents id (a version 7 GUID): unique per event; consumers de-duplicate on it.</summary>
    public Guid MessageId { get; set; }

    /// <summary>The logical destination (<c>orders</c>).</summary>
    public required string Destination { get; set; }

    /// <summary>The ordering key (the order's id): the same key is delivered in order.</summary>
    public required string Key { get; set; }

    /// <summary>The CloudEvents type, which carries the event's version (<c>company_starter.orders.order-placed.v1</c>).</summary>
    public required string Type { get; set; }

    /// <summary>The event's data as JSON.</summary>
    public required string Payload { get; set; }

    /// <summary>When the change happened (CloudEvents <c>time</c>).</summary>
    public DateTimeOffset OccurredAt { get; set; }

    /// <summary>The W3C <c>traceparent</c> of the request that wrote it, so the publish and the consumer join its trace.</summary>
    public string? TraceParent { get; set; }

    /// <summary>The W3C <c>tracestate</c> that came with it.</summary>
    public string? TraceState { get; set; }

    /// <summary>When the broker confirmed it; null while it waits.</summary>
    public DateTimeOffset? SentAt { get; set; }

    /// <summary>How many times the relay tried to publish it.</summary>
    public int Attempts { get; set; }

    /// <summary>The last publish failure, for the operator (one line).</summary>
    public string? LastError { get; set; }
}
