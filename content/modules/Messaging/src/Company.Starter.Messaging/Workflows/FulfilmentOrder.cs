using Company.Starter.Messaging.Orders;

namespace Company.Starter.Messaging.Workflows;

/// <summary>
/// The fulfilment saga's input: what its steps need of the order (the id every system keys its idempotency on, what
/// to reserve and what to charge). Copied from the order when the saga starts and kept in the workflow's history, so
/// the saga never reads the database (workflow code must not do I/O) and a replay sees the same order.
/// </summary>
/// <param name="OrderId">The order's id (<see cref="Order.Id"/>), also in the workflow id.</param>
/// <param name="Sku">The SKU to reserve and ship.</param>
/// <param name="Quantity">How many of it.</param>
/// <param name="Amount">The order's total, what the payment step charges.</param>
public sealed record FulfilmentOrder(Guid OrderId, string Sku, int Quantity, decimal Amount)
{
    public static FulfilmentOrder From(Order order) => new(order.Id, order.Sku, order.Quantity, order.Amount);
}
