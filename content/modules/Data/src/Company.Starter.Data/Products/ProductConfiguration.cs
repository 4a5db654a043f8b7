using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Company.Starter.Data.Products;

internal sealed class ProductConfiguration : IEntityTypeConfiguration<Product>
{
    public const int SkuMaxLength = 64;
    public const int NameMaxLength = 200;

    public void Configure(EntityTypeBuilder<Product> product)
    {
        product.HasKey(p => p.Id);
        product.Property(p => p.Sku).HasMaxLength(SkuMaxLength);
        product.Property(p => p.Name).HasMaxLength(NameMaxLength);
        product.Property(p => p.Price).HasPrecision(Product.PricePrecision, Product.PriceScale);
        product.Property(p => p.Version).IsConcurrencyToken();

        product.HasIndex(p => p.Sku).IsUnique();
        // Serves keyset pagination: WHERE (name, id) > (@name, @id) ORDER BY name, id is an index range scan.
        product.HasIndex(p => new { p.Name, p.Id });

        // Identity's user ids are strings of at most 450 characters (the length Identity gives its own key column).
        product.Property(p => p.OwnerId).HasMaxLength(450);
        product.HasIndex(p => p.OwnerId);
    }
}
