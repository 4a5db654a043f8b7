using System.ComponentModel.DataAnnotations;
using Company.Starter.Data.Sales;

namespace Company.Starter.Api.Sales;

/// <summary>The body of POST /api/sales. <see cref="OccurredAt"/> defaults to now.</summary>
public sealed record SaleRequest
{
    [Required]
    [Range(1, long.MaxValue)]
    public long? ProductId { get; init; }

    [Required]
    [Range(1, 1_000_000)]
    public int? Quantity { get; init; }

    public DateTimeOffset? OccurredAt { get; init; }

    public SaleInput ToInput() => new(ProductId!.Value, Quantity!.Value, OccurredAt?.UtcDateTime);
}
