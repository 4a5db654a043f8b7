namespace Company.Starter.Data.Sales;

/// <summary>A time-stamped fact: the kind of row a dashboard aggregates into time buckets.</summary>
public sealed class Sale
{
    public long Id { get; set; }

    public long ProductId { get; set; }

    public int Quantity { get; set; }

    /// <summary>Price of one unit when sold (products change price; sales must not).</summary>
    public decimal UnitPrice { get; set; }

    /// <summary>When the sale happened, in UTC.</summary>
    public DateTime OccurredAt { get; set; }
}
