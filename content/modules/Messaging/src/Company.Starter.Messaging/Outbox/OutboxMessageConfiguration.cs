using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Company.Starter.Messaging.Outbox;

internal sealed class OutboxMessageConfiguration : IEntityTypeConfiguration<OutboxMessage>
{
    public const int DestinationMaxLength = 100;
    public const int KeyMaxLength = 200;
    public const int TypeMaxLength = 200;

    /// <summary>A W3C traceparent is 55 characters (version, trace id, span id, flags); 128 leaves room for future versions.</summary>
    public const int TraceParentMaxLength = 128;

    /// <summary>W3C Trace Context caps tracestate at 512 characters.</summary>
    public const int TraceStateMaxLength = 512;

    /// <summary>The relay keeps the first line of the last failure, cut to this length.</summary>
    public const int LastErrorMaxLength = 2000;

    public void Configure(EntityTypeBuilder<OutboxMessage> message)
    {
        // The identity column: the database hands out positions in insert order, which the relay publishes in.
        message.HasKey(m => m.Sequence);
        message.Property(m => m.Sequence).ValueGeneratedOnAdd();
        message.HasIndex(m => m.MessageId).IsUnique();

        message.Property(m => m.Destination).HasMaxLength(DestinationMaxLength);
        message.Property(m => m.Key).HasMaxLength(KeyMaxLength);
        message.Property(m => m.Type).HasMaxLength(TypeMaxLength);
        message.Property(m => m.TraceParent).HasMaxLength(TraceParentMaxLength);
        message.Property(m => m.TraceState).HasMaxLength(TraceStateMaxLength);
        message.Property(m => m.LastError).HasMaxLength(LastErrorMaxLength);

        // The relay's query (the unsent rows, oldest first) reads only this index, which holds only the rows still
        // waiting: it stays small however many sent rows the table keeps. PostgreSQL and SQLite both take the filter.
        message.HasIndex(m => m.Sequence)
            .HasDatabaseName("ix_outbox_messages_unsent")
            .HasFilter("sent_at IS NULL");

        // The cleanup's query (sent rows older than the retention, OutboxRelay.CleanupIfDueAsync): only the sent rows,
        // by the time they were sent, so the delete reads neither the waiting rows nor the kept ones.
        message.HasIndex(m => m.SentAt)
            .HasDatabaseName("ix_outbox_messages_sent_at")
            .HasFilter("sent_at IS NOT NULL");
    }
}
