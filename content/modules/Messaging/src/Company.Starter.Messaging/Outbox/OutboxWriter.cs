using System.Diagnostics;
using System.Text.Json;
using Company.Starter.Messaging.Events;
using Microsoft.Extensions.Options;

namespace Company.Starter.Messaging.Outbox;

/// <summary>
/// Puts integration events in the outbox: each becomes an <see cref="OutboxMessage"/> added to the same
/// <see cref="MessagingDbContext"/> as the change it announces, so the caller's one <c>SaveChangesAsync</c> commits
/// both or neither. Nothing here talks to the broker: the relay publishes the rows later, and an unreachable broker only
/// makes them wait.
/// </summary>
public sealed class OutboxWriter(MessagingDbContext db, IOptions<MessagingOptions> options, TimeProvider clock)
{
    /// <summary>Adds <paramref name="event"/> to the outbox (unsaved), for <c>Messaging:OrdersDestination</c>.</summary>
    /// <param name="event">The event.</param>
    /// <param name="key">Its ordering key: events of the same key are delivered in the order they were written.</param>
    public OutboxMessage Enqueue<TEvent>(TEvent @event, string key) where TEvent : IIntegrationEvent<TEvent>
    {
        ArgumentNullException.ThrowIfNull(@event);
        ArgumentException.ThrowIfNullOrEmpty(key);

        // The request's trace context travels with the event, so that the relay's publish and the consumer's handling
        // join the trace of the request that caused them, however much later they run. Activity.Id is the W3C
        // traceparent when the id format is W3C (.NET's default); any other format is not sent on.
        var activity = Activity.Current;
        var w3c = activity is { IdFormat: ActivityIdFormat.W3C };
        var message = new OutboxMessage
        {
            MessageId = Guid.CreateVersion7(clock.GetUtcNow()),
            Destination = options.Value.OrdersDestination,
            Key = key,
            Type = TEvent.Type,
            Payload = JsonSerializer.Serialize(@event, TEvent.JsonTypeInfo),
            OccurredAt = clock.GetUtcNow(),
            TraceParent = w3c ? activity!.Id : null,
            TraceState = w3c ? activity!.TraceStateString : null,
        };

        db.OutboxMessages.Add(message);
        return message;
    }
}
