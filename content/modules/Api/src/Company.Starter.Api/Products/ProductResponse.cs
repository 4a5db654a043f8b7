using Company.Starter.Data.Products;

namespace Company.Starter.Api.Products;

/// <summary>A product as clients see it. <see cref="Version"/> goes back in updates.</summary>
#if (UseAuth)
public sealed record ProductResponse(long Id, string Sku, string Name, decimal Price, long Version, DateTime CreatedAt, DateTime UpdatedAt, string? OwnerId)
#else
public sealed record ProductResponse(long Id, string Sku, string Name, decimal Price, long Version, DateTime CreatedAt, DateTime UpdatedAt)
#endif
{
    public static ProductResponse From(Product product) => new(
        product.Id,
        product.Sku,
        product.Name,
        product.Price,
        product.Version,
        DateTime.SpecifyKind(product.CreatedAt, DateTimeKind.Utc),
#if (UseAuth)
        DateTime.SpecifyKind(product.UpdatedAt, DateTimeKind.Utc),
        product.OwnerId);
#else
        DateTime.SpecifyKind(product.UpdatedAt, DateTimeKind.Utc));
#endif
}
