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

    /// <summary>When the sale happened; between <see cref="Sale.EarliestOccurredAt"/> and <see cref="Sale.LatestOccurredAt"/>.</summary>
    [SaleTime]
    public DateTimeOffset? OccurredAt { get; init; }

    public SaleInput ToInput() => new(ProductId!.Value, Quantity!.Value, OccurredAt?.UtcDateTime);
}

/// <summary>A time within the span a sale may take (<see cref="Sale.EarliestOccurredAt"/> to <see cref="Sale.LatestOccurredAt"/>).</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field | AttributeTargets.Parameter)]
public sealed class SaleTimeAttribute() : ValidationAttribute(Message)
{
    /// <summary>The rule in words, for every answer that enforces it.</summary>
    public const string Message = "The {0} must be from 1900-01-01 up to 3000-01-01 (UTC).";

    public override bool IsValid(object? value) => value is not DateTimeOffset time || IsWithin(time);

    public static bool IsWithin(DateTimeOffset time) =>
        time.UtcDateTime >= Sale.EarliestOccurredAt && time.UtcDateTime <= Sale.LatestOccurredAt;
}
