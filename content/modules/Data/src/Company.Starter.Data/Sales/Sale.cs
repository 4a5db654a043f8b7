namespace Company.Starter.Data.Sales;

/// <summary>A time-stamped fact: the kind of row a dashboard aggregates into time buckets.</summary>
public sealed class Sale
{
    /// <summary>
    /// The span <see cref="OccurredAt"/> may take. Both ends are far from the databases' limits: PostgreSQL maps
    /// DateTime.MinValue and MaxValue to -infinity and infinity, which its time functions (date_bin) refuse.
    /// </summary>
    public static readonly DateTime EarliestOccurredAt = new(1900, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <inheritdoc cref="EarliestOccurredAt"/>
    public static readonly DateTime LatestOccurredAt = new(3000, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    public long Id { get; set; }

    public long ProductId { get; set; }

    public int Quantity { get; set; }

    /// <summary>Price of one unit when sold (products change price; sales must not).</summary>
    public decimal UnitPrice { get; set; }

    /// <summary>When the sale happened, in UTC.</summary>
    public DateTime OccurredAt { get; set; }
}
