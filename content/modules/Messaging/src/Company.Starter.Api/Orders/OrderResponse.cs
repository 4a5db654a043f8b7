using Company.Starter.Messaging.Orders;

namespace Company.Starter.Api.Orders;

/// <summary>
/// An order as clients see it: <c>placed</c> once written (its event waits in the outbox until the worker publishes it),
/// <c>confirmed</c> with its <see cref="Receipt"/> once the worker's consumer handled the event.
/// </summary>
public sealed record OrderResponse(
    Guid Id,
    string CustomerId,
    string Sku,
    int Quantity,
    decimal Amount,
    string Status,
    DateTimeOffset CreatedAt,
    long Version,
    ReceiptResponse? Receipt)
{
    public static OrderResponse From(Order order) => From(new OrderDetails(order, Receipt: null));

    public static OrderResponse From(OrderDetails details) => new(
        details.Order.Id,
        details.Order.CustomerId,
        details.Order.Sku,
        details.Order.Quantity,
        details.Order.Amount,
        details.Status.ToString().ToLowerInvariant(),
        details.Order.CreatedAt,
        details.Order.Version,
        details.Receipt is { } receipt ? new ReceiptResponse(receipt.Amount, receipt.IssuedAt) : null);
}

/// <summary>The receipt the worker issued for the order.</summary>
public sealed record ReceiptResponse(decimal Amount, DateTimeOffset IssuedAt);
