using Company.Starter.Data.Products;

namespace Company.Starter.Api.Products;

/// <summary>A product as clients see it. <see cref="Version"/> goes back in updates.</summary>
// OwnerId: the user who added the product, where the app has users (IProductAccess.OwnerOf); null where it has none.
public sealed record ProductResponse(long Id, string Sku, string Name, decimal Price, long Version, DateTime CreatedAt, DateTime UpdatedAt, string? OwnerId)
{
    public static ProductResponse From(Product product) => new(
        product.Id,
        product.Sku,
        product.Name,
        product.Price,
        product.Version,
        DateTime.SpecifyKind(product.CreatedAt, DateTimeKind.Utc),
        DateTime.SpecifyKind(product.UpdatedAt, DateTimeKind.Utc),
        product.OwnerId);
}
