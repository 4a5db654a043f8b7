using Company.Starter.Data;

namespace Company.Starter.Messaging.Orders;

/// <summary>
/// An order: one line (a SKU, a quantity and what it costs) for a customer. It is written together with its
/// <c>OrderPlaced</c> event (the outbox row) in one transaction; what happens to it afterwards (the receipt, the
/// fulfilment) is driven by that event.
/// </summary>
public sealed class Order : IVersioned
{
    /// <summary>Identity's user ids are strings of at most 450 characters (the length Identity gives its own key column).</summary>
    public const int CustomerIdMaxLength = 450;

    public const int SkuMaxLength = 64;

    /// <summary>The amount column's digits in all (<c>numeric(18, 2)</c>)...</summary>
    public const int AmountPrecision = 18;

    /// <summary>...and after the decimal point.</summary>
    public const int AmountScale = 2;

    /// <summary>
    /// A version 7 GUID made by the app, not the database: the event written in the same save carries it, and v7 ids
    /// arrive in time order, which keeps the primary key's index append-mostly.
    /// </summary>
    public Guid Id { get; set; }

    /// <summary>Who placed it (the caller's user id where the app has users; else what the client said).</summary>
    public required string CustomerId { get; set; }

    public required string Sku { get; set; }

    public int Quantity { get; set; }

    /// <summary>The order's total.</summary>
    public decimal Amount { get; set; }

    public OrderStatus Status { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public long Version { get; set; }
}

/// <summary>Where an order is in its life. Stored as its name, so adding a state needs no migration.</summary>
public enum OrderStatus
{
    /// <summary>Written with its event; nothing has handled the event yet.</summary>
    Placed,

    /// <summary>The consumer issued its receipt.</summary>
    Confirmed,

    /// <summary>The fulfilment workflow shipped it.</summary>
    Fulfilled,

    /// <summary>Cancelled (by the customer, or by the workflow's compensation).</summary>
    Cancelled,
}
