using Company.Starter.Data;
using Company.Starter.Messaging.Inbox;
using Company.Starter.Messaging.Orders;
using Company.Starter.Messaging.Outbox;
using Microsoft.EntityFrameworkCore;

namespace Company.Starter.Messaging;

/// <summary>
/// The messaging module's tables in the application's database, with a migration history of their own
/// (AddModuleDbContext): the orders, the outbox their events wait in, the inbox of handled messages and the receipts the
/// consumer issues. The order and its event are one <see cref="DbContext.SaveChangesAsync(CancellationToken)"/>, so one
/// transaction; so are a consumer's effect and its inbox row.
/// </summary>
public sealed partial class MessagingDbContext(DbContextOptions<MessagingDbContext> options) : DbContext(options)
{
    public const string MigrationsHistoryTable = "__messaging_migrations_history";

    public DbSet<Order> Orders => Set<Order>();

    public DbSet<Receipt> Receipts => Set<Receipt>();

    public DbSet<OutboxMessage> OutboxMessages => Set<OutboxMessage>();

    public DbSet<InboxMessage> InboxMessages => Set<InboxMessage>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(MessagingDbContext).Assembly);

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder) =>
        ConfigureDatabaseConventions(configurationBuilder);

    /// <summary>
    /// What the database needs of the model's types: MessagingDbContext.Sqlite.cs stores timestamps so that SQL can
    /// compare them; PostgreSQL has a native type and needs nothing (the template keeps the file of the solution's
    /// database, so without it this call is removed).
    /// </summary>
    static partial void ConfigureDatabaseConventions(ModelConfigurationBuilder configurationBuilder);

    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        StampVersions();
        return base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        StampVersions();
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    /// <summary>
    /// The same optimistic concurrency as the app's tables: each update bumps <c>Version</c>, and EF Core adds
    /// <c>WHERE version = @original</c>, so of two concurrent writers of an order (the consumer confirming it, the
    /// workflow cancelling it) the second fails instead of overwriting the first.
    /// </summary>
    private void StampVersions()
    {
        foreach (var entry in ChangeTracker.Entries<IVersioned>())
        {
            if (entry.State == EntityState.Modified)
            {
                entry.Entity.Version++;
            }
        }
    }
}
