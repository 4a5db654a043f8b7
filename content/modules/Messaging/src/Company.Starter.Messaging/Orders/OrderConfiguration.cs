using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Company.Starter.Messaging.Orders;

internal sealed class OrderConfiguration : IEntityTypeConfiguration<Order>
{
    public void Configure(EntityTypeBuilder<Order> order)
    {
        order.HasKey(o => o.Id);
        order.Property(o => o.Id).ValueGeneratedNever();
        order.Property(o => o.CustomerId).HasMaxLength(Order.CustomerIdMaxLength);
        order.Property(o => o.Sku).HasMaxLength(Order.SkuMaxLength);
        order.Property(o => o.Amount).HasPrecision(Order.AmountPrecision, Order.AmountScale);
        order.Property(o => o.Status).HasConversion<string>().HasMaxLength(32);
        order.Property(o => o.Version).IsConcurrencyToken();

        // Serves "a customer's orders".
        order.HasIndex(o => o.CustomerId);
    }
}
