using System.Text.Json;
using System.Text.Json.Nodes;
using Company.Starter.Messaging.Envelope;
using Company.Starter.Messaging.Events;
using Company.Starter.Messaging.Orders;
using Microsoft.EntityFrameworkCore;

namespace Company.Starter.Messaging.Consumers;

/// <summary>
/// The worker's effect of an <see cref="OrderPlaced"/> event: a receipt for the order (one per order) and the order
/// marked confirmed, in the transaction that records the message in the inbox; after the commit, a notification
/// (<c>order.confirmed</c>) for whoever watches.
/// </summary>
public sealed class OrderPlacedHandler(INotificationPublisher notifications, TimeProvider time) : IMessageHandler
{
    /// <summary>
    /// The previous shape of the event, before it carried the customer: an example of reading an old version. A producer
    /// that still publishes it is read through <see cref="UpcastV0"/> instead of being dead-lettered.
    /// </summary>
    public const string LegacyEventType = "company_starter.orders.order-placed.v0";

    public static EventTypeRegistry Types { get; } = new EventTypeRegistry()
        .Current(OrderPlaced.EventType)
        .Upcast(LegacyEventType, OrderPlaced.EventType, UpcastV0);

    /// <summary>
    /// The batch's orders in one query, so that <see cref="HandleAsync"/> finds each tracked instead of asking the
    /// database per message. Data that is not an order is skipped here: <see cref="HandleAsync"/> rejects it.
    /// </summary>
    public async Task PrepareAsync(IReadOnlyList<MessageContext> messages, CancellationToken cancellationToken)
    {
        var orderIds = messages
            .Select(message => message.Data["orderId"] is JsonValue value && value.TryGetValue<string>(out var text) && Guid.TryParse(text, out var id) ? id : Guid.Empty)
            .Where(id => id != Guid.Empty)
            .Distinct()
            .ToList();
        if (orderIds.Count > 0)
        {
            await messages[0].Db.Orders.Where(o => orderIds.Contains(o.Id)).LoadAsync(cancellationToken);
        }
    }

    public async Task HandleAsync(MessageContext message, CancellationToken cancellationToken)
    {
        var placed = Validate(message);
        var db = message.Db;
        var now = time.GetUtcNow();

        db.Receipts.Add(new Receipt
        {
            OrderId = placed.OrderId,
            Amount = placed.Amount,
            IssuedAt = now,
            MessageId = message.MessageId,
        });

        // The order lives in this database here; where the consumer is another service it would not, and the receipt
        // alone confirms the order (OrderDetails.Status). A cancelled or fulfilled order keeps its status.
        // Tracked already when PrepareAsync loaded it: no round trip then.
        var order = await db.Orders.FindAsync([placed.OrderId], cancellationToken);
        if (order is { Status: OrderStatus.Placed })
        {
            order.Status = OrderStatus.Confirmed;
            order.UpdatedAt = now;
        }

        message.AfterCommit(ct => notifications.PublishAsync(
            new Notification(
                "order.confirmed",
                placed.OrderId.ToString(),
                $"Order {placed.OrderId} is confirmed: {placed.Quantity} x {placed.Sku}, {placed.Amount:0.00}.",
                "info",
                now),
            ct));
    }

    /// <summary>
    /// The event's data, or a <see cref="PermanentMessageException"/> when it cannot describe a real order: such data
    /// will not become valid by retrying, so it goes to the dead letters at once.
    /// </summary>
    private static OrderPlaced Validate(MessageContext message)
    {
        OrderPlaced? placed;
        try
        {
            placed = message.Data.Deserialize(MessagingJsonContext.Default.OrderPlaced);
        }
        catch (JsonException exception)
        {
            throw new PermanentMessageException($"The data of {message.Type} is not an OrderPlaced: {exception.Message}", exception);
        }

        var problem = placed switch
        {
            null => "it is null",
            { OrderId: var id } when id == Guid.Empty => "it has no order id",
            { Quantity: <= 0 } => $"its quantity {placed.Quantity} is not positive",
            { Amount: < 0 } => $"its amount {placed.Amount} is negative",
            { Amount: var amount } when decimal.Round(amount, Order.AmountScale) != amount => $"its amount {placed.Amount} has more than {Order.AmountScale} decimals",
            { Sku: null or "" } => "it has no SKU",
            { CustomerId: null or "" } => "it has no customer",
            _ => null,
        };

        return problem is null
            ? placed!
            : throw new PermanentMessageException($"The {message.Type} event {message.MessageId} is invalid: {problem}.");
    }

    /// <summary>v0 had no customer and called the SKU "product": v1 names it <c>sku</c> and the customer unknown.</summary>
    private static JsonObject UpcastV0(JsonObject v0)
    {
        if (v0["product"] is { } product && v0["sku"] is null)
        {
            v0.Remove("product");
            v0["sku"] = product;
        }

        v0["customerId"] ??= "unknown";
        return v0;
    }
}
