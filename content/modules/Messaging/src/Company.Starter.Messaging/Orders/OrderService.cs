using Company.Starter.Messaging.Events;
using Company.Starter.Messaging.Outbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Company.Starter.Messaging.Orders;

/// <summary>What placing an order takes: who, what, how many and at what unit price.</summary>
public sealed record OrderInput(string CustomerId, string Sku, int Quantity, decimal UnitPrice);

/// <summary>An order as it stands, with its receipt once the consumer issued one.</summary>
public sealed record OrderDetails(Order Order, Receipt? Receipt)
{
    /// <summary>
    /// The status a reader sees: a receipt confirms an order still marked placed, whether or not the consumer that
    /// issued it also updated the order's row.
    /// </summary>
    public OrderStatus Status => Order.Status == OrderStatus.Placed && Receipt is not null ? OrderStatus.Confirmed : Order.Status;
}

/// <summary>Places orders (the order and its <see cref="OrderPlaced"/> event in one transaction) and reads them back.</summary>
public sealed partial class OrderService(MessagingDbContext db, OutboxWriter outbox, TimeProvider clock, ILogger<OrderService> logger)
{
    /// <summary>
    /// Writes the order and its <see cref="OrderPlaced"/> event with one <c>SaveChangesAsync</c>, which EF Core runs in
    /// one transaction: either both are committed or neither is, so no order is ever without its event and no event
    /// announces an order that does not exist. The broker is not involved: the relay publishes the event later.
    /// </summary>
    public async Task<Order> PlaceAsync(OrderInput input, CancellationToken cancellationToken = default)
    {
        var now = Now();
        var order = new Order
        {
            Id = Guid.CreateVersion7(now),
            CustomerId = input.CustomerId,
            Sku = input.Sku,
            Quantity = input.Quantity,
            Amount = decimal.Round(input.UnitPrice * input.Quantity, Order.AmountScale),
            Status = OrderStatus.Placed,
            CreatedAt = now,
            UpdatedAt = now,
            Version = 1,
        };

        db.Orders.Add(order);
        outbox.Enqueue(
            new OrderPlaced(order.Id, order.CustomerId, order.Sku, order.Quantity, order.Amount, order.CreatedAt),
            key: order.Id.ToString());

        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch
        {
            // The pooled context goes back to the pool: it must not keep the failed rows for its next user.
            db.ChangeTracker.Clear();
            throw;
        }

        LogPlaced(logger, order.Id, order.Sku, order.Quantity);
        return order;
    }

    /// <summary>The order and its receipt, if any; null when there is no such order.</summary>
    public async Task<OrderDetails?> FindAsync(Guid id, CancellationToken cancellationToken = default)
    {
        var order = await db.Orders.AsNoTracking().FirstOrDefaultAsync(o => o.Id == id, cancellationToken);
        if (order is null)
        {
            return null;
        }

        var receipt = await db.Receipts.AsNoTracking().FirstOrDefaultAsync(r => r.OrderId == id, cancellationToken);
        return new OrderDetails(order, receipt);
    }

    /// <summary>
    /// The current time at the precision the databases keep (PostgreSQL: microseconds), so that what a write returns
    /// equals what a later read returns.
    /// </summary>
    private DateTimeOffset Now()
    {
        var now = clock.GetUtcNow();
        return now.AddTicks(-(now.Ticks % TimeSpan.TicksPerMicrosecond));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Placed order {OrderId}: {Quantity} x {Sku}")]
    private static partial void LogPlaced(ILogger logger, Guid orderId, string sku, int quantity);
}
