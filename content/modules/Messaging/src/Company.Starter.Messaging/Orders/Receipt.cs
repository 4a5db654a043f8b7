namespace Company.Starter.Messaging.Orders;

/// <summary>
/// The consumer's effect of an <c>OrderPlaced</c> event: one receipt per order, written in the same transaction as the
/// inbox row of the message. The unique <see cref="OrderId"/> is the last line of defence: even a second delivery that
/// slipped past the inbox could not issue a second receipt. There is no foreign key to the order on purpose: a consumer
/// is another service in principle, and one that keeps its tables elsewhere still works the same way.
/// </summary>
public sealed class Receipt
{
    public long Id { get; set; }

    public Guid OrderId { get; set; }

    public decimal Amount { get; set; }

    public DateTimeOffset IssuedAt { get; set; }

    /// <summary>The message (CloudEvents id) whose handling issued it, to trace a receipt back to its event.</summary>
    public Guid MessageId { get; set; }
}
