using Company.Starter.Data.Products;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Company.Starter.Data.Sales;

internal sealed class SaleConfiguration : IEntityTypeConfiguration<Sale>
{
    public void Configure(EntityTypeBuilder<Sale> sale)
    {
        sale.HasKey(s => s.Id);
        sale.Property(s => s.UnitPrice).HasPrecision(Product.PricePrecision, Product.PriceScale);
        sale.HasOne<Product>().WithMany().HasForeignKey(s => s.ProductId).OnDelete(DeleteBehavior.Restrict);
        // Dashboards read by time range; this index makes the bucket query a range scan.
        sale.HasIndex(s => s.OccurredAt);
    }
}
