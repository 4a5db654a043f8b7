using System.ComponentModel.DataAnnotations;
using Company.Starter.Api.Http;
using Company.Starter.Data.Products;

namespace Company.Starter.Api.Products;

/// <summary>The body of POST /api/products. Every field is required; validation runs before the handler.</summary>
public record ProductRequest
{
    [Required]
    [StringLength(64)]
    [RegularExpression("^[A-Za-z0-9][A-Za-z0-9._-]*$", ErrorMessage = "The SKU may hold letters, digits, '.', '_' and '-', and starts with a letter or digit.")]
    public string? Sku { get; init; }

    [Required]
    [StringLength(200)]
    [PlainText(ErrorMessage = "The name may not contain control characters, bidi overrides or invisible (zero-width) characters.")]
    public string? Name { get; init; }

    [Required]
    [Range(typeof(decimal), "0", "1000000000", ParseLimitsInInvariantCulture = true)]
    [ColumnDecimal(Product.PricePrecision, Product.PriceScale, ErrorMessage = "The price may have at most 2 decimal places.")]
    public decimal? Price { get; init; }

    /// <summary>
    /// The validated fields; only called after validation, so the nulls are gone. The price goes in at the column's scale
    /// ("19.900" as 19.90), so that the response echoes what the database keeps.
    /// </summary>
    public ProductInput ToInput() => new(Sku!, Name!.Trim(), decimal.Round(Price!.Value, Product.PriceScale));
}

/// <summary>
/// The body of PUT /api/products/{id}: the new fields and the version the client last read, here or as an
/// <c>If-Match</c> ETag (one of the two is required).
/// </summary>
public sealed record ProductUpdateRequest : ProductRequest
{
    /// <summary>The <c>version</c> of the product as the client last read it; a stale one is refused with 409.</summary>
    [Range(1, long.MaxValue)]
    public long? Version { get; init; }
}
