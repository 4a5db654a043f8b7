using Company.Starter.Messaging.Inbox;
using Company.Starter.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Company.Starter.Messaging.Tests;

/// <summary>The inbox keeps a handled message's row for <c>Messaging:Consumer:InboxRetention</c>, then the worker deletes it.</summary>
public sealed class InboxCleanupTests(TestEnvironment environment, BrokerServer broker)
{
    [Fact]
    public async Task Inbox_rows_older_than_the_retention_are_deleted_and_newer_ones_kept()
    {
        await using var bed = await OrdersTestBed.CreateAsync(environment, broker);
        var clock = new ManualClock(new DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.Zero));
        await using var worker = bed.StartWorker(
            new Dictionary<string, string?> { ["Messaging:Consumer:InboxRetention"] = "7.00:00:00" },
            services => services.AddSingleton<TimeProvider>(clock));
        var now = clock.GetUtcNow();
        // More than one batch of each, under two consumers.
        var rows = Enumerable.Range(0, 1_200).Select(i => new InboxMessage
        {
            MessageId = Guid.NewGuid(),
            Consumer = i % 2 == 0 ? "receipts" : "emails",
            Type = "company_starter.orders.order-placed.v1",
            HandledAt = i % 3 == 0 ? now - TimeSpan.FromDays(8) : now - TimeSpan.FromDays(1),
        }).ToList();
        await bed.QueryAsync(async db =>
        {
            db.InboxMessages.AddRange(rows);
            return await db.SaveChangesAsync();
        });
        var cleanup = worker.Services.GetRequiredService<InboxCleanup>();

        await cleanup.CleanupAsync(TestContext.Current.CancellationToken);

        var left = await bed.QueryAsync(db => db.InboxMessages.Select(m => m.MessageId).ToListAsync());
        Assert.Equal(rows.Where(r => r.HandledAt > now - TimeSpan.FromDays(7)).Select(r => r.MessageId).Order(), left.Order());

        clock.Advance(TimeSpan.FromDays(6) + TimeSpan.FromMinutes(1));
        Assert.Equal(800, await cleanup.CleanupAsync(TestContext.Current.CancellationToken));
        Assert.Equal(0, await bed.QueryAsync(db => db.InboxMessages.CountAsync()));
    }
}
