using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Company.Starter.Messaging.Orders;

internal sealed class ReceiptConfiguration : IEntityTypeConfiguration<Receipt>
{
    public void Configure(EntityTypeBuilder<Receipt> receipt)
    {
        receipt.HasKey(r => r.Id);
        receipt.Property(r => r.Amount).HasPrecision(Order.AmountPrecision, Order.AmountScale);
        // One receipt per order, whatever reaches the consumer how many times.
        receipt.HasIndex(r => r.OrderId).IsUnique();
    }
}
