using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Company.Starter.Data.Idempotency;

internal sealed class IdempotencyRecordConfiguration : IEntityTypeConfiguration<IdempotencyRecord>
{
    public const int KeyMaxLength = 255;

    /// <summary>"user:" and a user id of up to 450 characters (the length Identity gives its own key column).</summary>
    public const int ScopeMaxLength = 512;

    public void Configure(EntityTypeBuilder<IdempotencyRecord> record)
    {
        record.ToTable("idempotency_records");
        // The primary key is the lock: of two requests racing with one key, only one insert succeeds. The caller's
        // scope comes first, so that one caller's key never answers for another's.
        record.HasKey(r => new { r.Scope, r.Key });
        record.Property(r => r.Scope).HasMaxLength(ScopeMaxLength);
        record.Property(r => r.Key).HasMaxLength(KeyMaxLength);
        record.Property(r => r.Fingerprint).HasMaxLength(64);
        record.Property(r => r.ContentType).HasMaxLength(255);
        record.Property(r => r.Location).HasMaxLength(2048);
        record.Property(r => r.ETag).HasColumnName("etag").HasMaxLength(255);
        // Serves a cleanup job: DELETE FROM idempotency_records WHERE created_at < @cutoff.
        record.HasIndex(r => r.CreatedAt);
    }
}
