namespace Company.Starter.Data.Sales;

/// <summary>A sale to record. <see cref="OccurredAt"/> defaults to now when left out.</summary>
public sealed record SaleInput(long ProductId, int Quantity, DateTime? OccurredAt);
