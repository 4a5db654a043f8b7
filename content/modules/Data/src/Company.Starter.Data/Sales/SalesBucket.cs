namespace Company.Starter.Data.Sales;

/// <summary>Totals of the sales that fall into one time bucket, starting at <see cref="BucketStart"/> (UTC).</summary>
public sealed record SalesBucket(DateTime BucketStart, long Sales, long Units, decimal Revenue);
