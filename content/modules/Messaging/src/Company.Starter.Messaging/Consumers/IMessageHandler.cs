using System.Text.Json.Nodes;
using CloudNative.CloudEvents;
using Company.Starter.Messaging.Envelope;

namespace Company.Starter.Messaging.Consumers;

/// <summary>
/// One consumer's effect of a message. The pipeline (<see cref="MessageConsumer{THandler}"/>) calls it inside a
/// transaction that also records the message in the inbox, and commits both together: the handler only adds its changes
/// to <see cref="MessageContext.Db"/>, never saves or commits itself. What must happen only after the commit (a
/// notification) is registered with <see cref="MessageContext.AfterCommit"/>.
/// </summary>
/// <remarks>
/// Throw <see cref="PermanentMessageException"/> for a message that can never succeed (its data fails validation): it
/// goes to the dead letters at once. Any other exception is retried with backoff, then dead-lettered.
/// </remarks>
public interface IMessageHandler
{
    /// <summary>The event types (and versions, and upcasters) this handler reads; anything else is dead-lettered unread.</summary>
    static abstract EventTypeRegistry Types { get; }

    /// <summary>
    /// Called once per batch, in its transaction, before <see cref="HandleAsync"/> is called for each of its messages in
    /// order: the place to load in one query what every message's effect reads (tracked entities are then found by
    /// <c>FindAsync</c> without a round trip each). The default loads nothing.
    /// </summary>
    Task PrepareAsync(IReadOnlyList<MessageContext> messages, CancellationToken cancellationToken) => Task.CompletedTask;

    Task HandleAsync(MessageContext message, CancellationToken cancellationToken);
}

/// <summary>A message as a handler sees it: the event, its data in the current version's shape, the open unit of work.</summary>
public sealed class MessageContext(MessagingDbContext db, CloudEvent cloudEvent, Guid messageId, string type, JsonObject data)
{
    private readonly List<Func<CancellationToken, ValueTask>> _afterCommit = [];

    /// <summary>The unit of work the inbox row is in: add the effect here; the pipeline saves and commits.</summary>
    public MessagingDbContext Db { get; } = db;

    /// <summary>The CloudEvent as received (its original type and data, before any upcast).</summary>
    public CloudEvent Event { get; } = cloudEvent;

    public Guid MessageId { get; } = messageId;

    /// <summary>The current type the data was read (or upcast) as.</summary>
    public string Type { get; } = type;

    /// <summary>The data, in the shape of <see cref="Type"/>.</summary>
    public JsonObject Data { get; } = data;

    /// <summary>
    /// Something to do once the effect committed (and never if it did not): a notification, a cache eviction. Best
    /// effort: a failure there is logged and does not undo or repeat the effect.
    /// </summary>
    public void AfterCommit(Func<CancellationToken, ValueTask> action) => _afterCommit.Add(action);

    internal IReadOnlyList<Func<CancellationToken, ValueTask>> AfterCommitActions => _afterCommit;
}
