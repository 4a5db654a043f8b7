using System.ComponentModel.DataAnnotations;
using Company.Starter.Api.Http;
using Company.Starter.Api.Products;
using Company.Starter.Messaging.Orders;

namespace Company.Starter.Api.Orders;

/// <summary>The body of POST /api/orders. Every field is required; validation runs before the handler.</summary>
public sealed record OrderRequest
{
    /// <summary>Who orders. Where the app signs users in, the caller's own id is recorded instead.</summary>
    [Required]
    [StringLength(Order.CustomerIdMaxLength)]
    [PlainText(ErrorMessage = "The customer id may not contain control characters, bidi overrides or invisible (zero-width) characters.")]
    public string? CustomerId { get; init; }

    [Required]
    [StringLength(Order.SkuMaxLength)]
    [RegularExpression("^[A-Za-z0-9][A-Za-z0-9._-]*$", ErrorMessage = "The SKU may hold letters, digits, '.', '_' and '-', and starts with a letter or digit.")]
    public string? Sku { get; init; }

    [Required]
    [Range(1, 10_000)]
    public int? Quantity { get; init; }

    [Required]
    [Range(typeof(decimal), "0", "1000000000", ParseLimitsInInvariantCulture = true)]
    [ColumnDecimal(Order.AmountPrecision, Order.AmountScale, ErrorMessage = "The unit price may have at most 2 decimal places.")]
    public decimal? UnitPrice { get; init; }

    /// <summary>The validated fields; only called after validation, so the nulls are gone.</summary>
    public OrderInput ToInput(string? callerId) => new(callerId ?? CustomerId!.Trim(), Sku!, Quantity!.Value, UnitPrice!.Value);
}
