using Company.Starter.Data;
using Company.Starter.Messaging.Inbox;
using Company.Starter.Messaging.Orders;
using Company.Starter.Messaging.Outbox;
using Company.Starter.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Company.Starter.Messaging.Tests;

/// <summary>
/// The messaging tables in the app's database: the <c>migrate</c> step creates them from their own migration history,
/// the committed migrations match the model, and the keys the outbox and the inbox rely on are the database's.
/// </summary>
public sealed class MigrationTests(TestEnvironment environment)
{
    private static CancellationToken CancellationToken => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Migrate_creates_the_messaging_tables_on_an_empty_database()
    {
        await using var app = await StartAsync(environment);
        await using (var scope = app.Host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<MessagingDbContext>();
            Assert.NotEmpty(await db.Database.GetPendingMigrationsAsync(CancellationToken));
        }

        await app.Host.Services.MigrateDatabaseAsync(CancellationToken);

        await using (var scope = app.Host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<MessagingDbContext>();
            Assert.Empty(await db.Database.GetPendingMigrationsAsync(CancellationToken));
            Assert.Equal(db.Database.GetMigrations(), await db.Database.GetAppliedMigrationsAsync(CancellationToken));
            Assert.Equal(0, await db.Orders.CountAsync(CancellationToken));
            Assert.Equal(0, await db.OutboxMessages.CountAsync(CancellationToken));
            Assert.Equal(0, await db.InboxMessages.CountAsync(CancellationToken));
            Assert.Equal(0, await db.Receipts.CountAsync(CancellationToken));
            // The app's own tables migrated too, from their own history.
            Assert.Empty(await scope.ServiceProvider.GetRequiredService<AppDbContext>().Database.GetPendingMigrationsAsync(CancellationToken));
        }
    }

    [Fact]
    public async Task The_committed_messaging_migrations_match_the_model()
    {
        // Fails when someone changes a messaging entity and forgets `dotnet ef migrations add`.
        await using var app = await StartAsync(environment);
        await using var scope = app.Host.Services.CreateAsyncScope();

        Assert.False(
            scope.ServiceProvider.GetRequiredService<MessagingDbContext>().Database.HasPendingModelChanges(),
            "The messaging model has changes that no migration captures: run `dotnet ef migrations add <Name> --project src/Company.Starter.Messaging --output-dir Migrations/<Provider>`.");
    }

    [Fact]
    public async Task The_database_refuses_a_second_outbox_row_inbox_row_or_receipt_of_the_same_key()
    {
        // What the relay and the consumers rely on when a message comes twice: the database, not the code, says no.
        await using var app = await StartAsync(environment);
        await app.Host.Services.MigrateDatabaseAsync(CancellationToken);
        var messageId = Guid.CreateVersion7();
        var orderId = Guid.CreateVersion7();

        await InsertAsync(app, db => db.OutboxMessages.Add(Outbox(messageId)));
        await Assert.ThrowsAsync<DbUpdateException>(() => InsertAsync(app, db => db.OutboxMessages.Add(Outbox(messageId))));

        await InsertAsync(app, db => db.InboxMessages.Add(Inbox(messageId, "receipts")));
        await Assert.ThrowsAsync<DbUpdateException>(() => InsertAsync(app, db => db.InboxMessages.Add(Inbox(messageId, "receipts"))));
        // Another consumer of the same message handles it once too.
        await InsertAsync(app, db => db.InboxMessages.Add(Inbox(messageId, "analytics")));

        await InsertAsync(app, db => db.Receipts.Add(Receipt(orderId)));
        await Assert.ThrowsAsync<DbUpdateException>(() => InsertAsync(app, db => db.Receipts.Add(Receipt(orderId))));

        await using var scope = app.Host.Services.CreateAsyncScope();
        var check = scope.ServiceProvider.GetRequiredService<MessagingDbContext>();
        Assert.Equal(1, await check.OutboxMessages.CountAsync(CancellationToken));
        Assert.Equal(2, await check.InboxMessages.CountAsync(CancellationToken));
        Assert.Equal(1, await check.Receipts.CountAsync(CancellationToken));
    }

    [Fact]
    public async Task Outbox_rows_get_increasing_sequence_numbers_in_insert_order()
    {
        await using var app = await StartAsync(environment);
        await app.Host.Services.MigrateDatabaseAsync(CancellationToken);
        var ids = Enumerable.Range(0, 3).Select(_ => Guid.CreateVersion7()).ToList();
        foreach (var id in ids)
        {
            await InsertAsync(app, db => db.OutboxMessages.Add(Outbox(id)));
        }

        await using var scope = app.Host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MessagingDbContext>();
        Assert.Equal(ids, await db.OutboxMessages.OrderBy(m => m.Sequence).Select(m => m.MessageId).ToListAsync(CancellationToken));
    }

    private static OutboxMessage Outbox(Guid messageId) => new()
    {
        MessageId = messageId,
        Destination = "orders",
        Key = "key",
        Type = "test.v1",
        Payload = "{}",
        OccurredAt = DateTimeOffset.UnixEpoch,
    };

    private static InboxMessage Inbox(Guid messageId, string consumer) => new()
    {
        MessageId = messageId,
        Consumer = consumer,
        Type = "test.v1",
        HandledAt = DateTimeOffset.UnixEpoch,
    };

    private static Receipt Receipt(Guid orderId) => new()
    {
        OrderId = orderId,
        Amount = 1m,
        IssuedAt = DateTimeOffset.UnixEpoch,
        MessageId = Guid.CreateVersion7(),
    };

    private static async Task InsertAsync(MessagingApp app, Action<MessagingDbContext> add)
    {
        await using var scope = app.Host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MessagingDbContext>();
        add(db);
        try
        {
            await db.SaveChangesAsync(CancellationToken);
        }
        finally
        {
            // A pooled context goes back to the pool without the refused row.
            db.ChangeTracker.Clear();
        }
    }

    /// <summary>The data module and the messaging tables, registered as the API registers them, on a new database.</summary>
    private static async Task<MessagingApp> StartAsync(TestEnvironment environment)
    {
        var settings = await environment.CreateAppSettingsAsync(CancellationToken);
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(settings.Values);
        builder.AddData();
        builder.Services.AddModuleDbContext<MessagingDbContext>(MessagingDbContext.MigrationsHistoryTable);
        return new MessagingApp(builder.Build(), settings);
    }

    private sealed class MessagingApp(IHost host, AppSettings settings) : IAsyncDisposable
    {
        public IHost Host { get; } = host;

        public async ValueTask DisposeAsync()
        {
            Host.Dispose();
            await settings.DisposeAsync();
        }
    }
}
