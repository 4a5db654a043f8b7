namespace Company.Starter.Messaging.Inbox;

/// <summary>
/// A message a consumer has handled, recorded in the same transaction as the handler's effect: a redelivered message
/// finds its row and has no second effect. The key is (<see cref="MessageId"/>, <see cref="Consumer"/>), so two
/// consumers of the same event each handle it once.
/// </summary>
public sealed class InboxMessage
{
    public Guid MessageId { get; set; }

    /// <summary>The consumer (its group name) that handled it.</summary>
    public required string Consumer { get; set; }

    /// <summary>The CloudEvents type it carried.</summary>
    public required string Type { get; set; }

    public DateTimeOffset HandledAt { get; set; }
}
