using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace Company.Starter.Data.Security;

/// <summary>
/// The security module's tables (Identity's users, roles, passkeys, refresh tokens, and the data protection key ring)
/// in the application's database, with a migration history of their own: the module can be added to or left out of a
/// solution without touching the catalogue's migrations.
/// </summary>
public sealed class SecurityDbContext(DbContextOptions<SecurityDbContext> options) : IdentityDbContext<AppUser>(options), IDataProtectionKeyContext
{
    public const string MigrationsHistoryTable = "__security_migrations_history";

    public DbSet<RefreshToken> RefreshTokens => Set<RefreshToken>();

    public DbSet<PasskeyChallenge> PasskeyChallenges => Set<PasskeyChallenge>();

    /// <summary>
    /// The keys that protect the app's cookies and antiforgery tokens, shared by every instance on this database and
    /// kept across restarts and deployments.
    /// </summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);

        builder.Entity<RefreshToken>(token =>
        {
            token.HasKey(t => t.Id);
            token.Property(t => t.UserId).HasMaxLength(450);
            token.Property(t => t.TokenHash).HasMaxLength(32);
            token.HasIndex(t => t.TokenHash).IsUnique();
            token.HasIndex(t => t.FamilyId);
            token.HasIndex(t => t.UserId);
            token.HasOne<AppUser>().WithMany().HasForeignKey(t => t.UserId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<PasskeyChallenge>(challenge =>
        {
            challenge.HasKey(c => c.ChallengeHash);
            challenge.Property(c => c.ChallengeHash).HasMaxLength(32);
            // Serves the clean-up of challenges nobody answered in time.
            challenge.HasIndex(c => c.ExpiresAt);
        });
    }
}
