using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Company.Starter.Data.Idempotency;

internal sealed class IdempotencyRecordConfiguration : IEntityTypeConfiguration<IdempotencyRecord>
{
    public const int KeyMaxLength = 255;

    public void Configure(EntityTypeBuilder<IdempotencyRecord> record)
    {
        record.ToTable("idempotency_records");
        // The primary key is the lock: of two requests racing with one key, only one insert succeeds.
        record.HasKey(r => r.Key);
        record.Property(r => r.Key).HasMaxLength(KeyMaxLength);
        record.Property(r => r.Fingerprint).HasMaxLength(64);
        record.Property(r => r.ContentType).HasMaxLength(255);
        record.Property(r => r.Location).HasMaxLength(2048);
        record.Property(r => r.ETag).HasColumnName("etag").HasMaxLength(255);
        // Serves a cleanup job: DELETE FROM idempotency_records WHERE created_at < @cutoff.
        record.HasIndex(r => r.CreatedAt);
    }
}
