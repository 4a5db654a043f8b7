using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Company.Starter.Messaging.Inbox;

internal sealed class InboxMessageConfiguration : IEntityTypeConfiguration<InboxMessage>
{
    public void Configure(EntityTypeBuilder<InboxMessage> message)
    {
        // A second insert of the same (message, consumer) is a unique violation: the redelivery had its effect already.
        message.HasKey(m => new { m.MessageId, m.Consumer });
        message.Property(m => m.Consumer).HasMaxLength(100);
        message.Property(m => m.Type).HasMaxLength(200);
        // Serves the cleanup (InboxCleanup): DELETE ... WHERE handled_at < @cutoff, a batch at a time, without a scan.
        message.HasIndex(m => m.HandledAt);
    }
}
