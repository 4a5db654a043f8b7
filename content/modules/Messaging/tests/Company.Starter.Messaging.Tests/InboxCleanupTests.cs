using System.Collections.Concurrent;
using System.Data.Common;
using Company.Starter.Messaging.Inbox;
using Company.Starter.Messaging.Outbox;
using Company.Starter.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace Company.Starter.Messaging.Tests;

/// <summary>
/// The inbox keeps a handled message's row for <c>Messaging:Consumer:InboxRetention</c>, then the worker deletes it; the
/// outbox keeps a sent row for <c>Messaging:Relay:SentRetention</c>. Both deletes compare the time in SQL.
/// </summary>
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

    [Fact]
    public async Task Inbox_rows_of_mixed_ages_in_any_key_order_are_deleted_in_one_round_exactly_when_expired()
    {
        await using var bed = await OrdersTestBed.CreateAsync(environment, broker);
        var (worker, cleanup, clock) = StartWorkerWithOwnCleanup(bed);
        await using var _ = worker;
        var cutoff = clock.GetUtcNow() - TimeSpan.FromDays(7);
        // Ages that are not in key order: expired rows before, between and after kept ones, more than one batch (500)
        // of each, and the edges: exactly at the cutoff is kept, a millisecond before it is expired.
        var ages = new[] { TimeSpan.FromDays(30), -TimeSpan.FromDays(1), TimeSpan.FromMilliseconds(1), TimeSpan.Zero, TimeSpan.FromDays(8), -TimeSpan.FromMilliseconds(1) };
        var rows = Enumerable.Range(0, 1_500).Select(i => new InboxMessage
        {
            MessageId = Guid.NewGuid(),
            Consumer = i % 2 == 0 ? "receipts" : "emails",
            Type = "company_starter.orders.order-placed.v1",
            HandledAt = cutoff - ages[i % ages.Length], // random keys (Guid.NewGuid): the ages come in no key order
        }).ToList();
        await bed.QueryAsync(async db =>
        {
            db.InboxMessages.AddRange(rows);
            return await db.SaveChangesAsync();
        });
        var expired = rows.Where(r => r.HandledAt < cutoff).ToList();
        Assert.Equal(750, expired.Count);

        var deleted = await cleanup.CleanupAsync(TestContext.Current.CancellationToken);

        Assert.Equal(expired.Count, deleted);
        var left = await bed.QueryAsync(db => db.InboxMessages.Select(m => new { m.MessageId, m.Consumer }).ToListAsync());
        Assert.Equal(
            rows.Where(r => r.HandledAt >= cutoff).Select(r => (r.MessageId, r.Consumer)).Order(),
            left.Select(r => (r.MessageId, r.Consumer)).Order());
    }

    [Fact]
    public async Task The_inbox_cleanup_compares_the_time_in_sql_and_reads_none_of_the_kept_rows()
    {
        var commands = new InboxCommands();
        await using var bed = await OrdersTestBed.CreateAsync(environment, broker);
        var (worker, cleanup, clock) = StartWorkerWithOwnCleanup(
            bed, services => services.ConfigureDbContext<MessagingDbContext>(db => db.AddInterceptors(commands)));
        await using var _ = worker;
        var now = clock.GetUtcNow();
        // More kept rows than a batch, first in key order, and a few expired ones behind them.
        var kept = Enumerable.Range(1, 1_200).Select(i => Row(new Guid($"00000000-0000-0000-0000-{i:D12}"), now - TimeSpan.FromDays(1)));
        var expired = Enumerable.Range(1, 3).Select(i => Row(new Guid($"ffffffff-0000-0000-0000-{i:D12}"), now - TimeSpan.FromDays(8)));
        await bed.QueryAsync(async db =>
        {
            db.InboxMessages.AddRange([.. kept, .. expired]);
            return await db.SaveChangesAsync();
        });

        commands.Recording.Value = true; // this call's commands only
        var deleted = await cleanup.CleanupAsync(TestContext.Current.CancellationToken);
        commands.Recording.Value = false;

        Assert.Equal(3, deleted);
        Assert.Equal(1_200, await bed.QueryAsync(db => db.InboxMessages.CountAsync()));
        // One statement: a DELETE that selects the expired rows itself; no SELECT brought a row into the process.
        var command = Assert.Single(commands.Texts);
        Assert.StartsWith("DELETE", command.TrimStart(), StringComparison.OrdinalIgnoreCase);
        Assert.Contains("handled_at", command, StringComparison.Ordinal);

        static InboxMessage Row(Guid id, DateTimeOffset handledAt) =>
            new() { MessageId = id, Consumer = "receipts", Type = "company_starter.orders.order-placed.v1", HandledAt = handledAt };
    }

    [Fact]
    public async Task Sent_outbox_rows_of_mixed_ages_in_sequence_order_are_deleted_in_one_round_exactly_when_expired()
    {
        await using var bed = await OrdersTestBed.CreateAsync(environment, broker);
        var clock = new ManualClock(new DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.Zero));
        var cutoff = clock.GetUtcNow() - TimeSpan.FromDays(7);
        // Written before the worker starts: the relay's first round cleans up; the clock never moves, so there is no
        // second round, and whatever the first one left stays.
        var rows = Enumerable.Range(0, 1_200).Select(i => new OutboxMessage
        {
            MessageId = Guid.CreateVersion7(),
            Destination = "cleanup-test",
            Key = $"order-{i}",
            Type = "company_starter.orders.order-placed.v1",
            Payload = "{}",
            OccurredAt = cutoff - TimeSpan.FromDays(1),
            SentAt = i % 3 == 1 ? cutoff + TimeSpan.FromMinutes(i) : cutoff - TimeSpan.FromMilliseconds(1 + i),
            Attempts = 1,
        }).ToList();
        await bed.QueryAsync(async db =>
        {
            db.OutboxMessages.AddRange(rows);
            return await db.SaveChangesAsync();
        });
        var keptIds = rows.Where(r => r.SentAt >= cutoff).Select(r => r.MessageId).Order().ToList();

        await using var worker = bed.StartWorker(
            new Dictionary<string, string?> { ["Messaging:Relay:SentRetention"] = "7.00:00:00" },
            services => services.AddSingleton<TimeProvider>(clock));

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        List<Guid> left;
        while (true)
        {
            left = await bed.QueryAsync(db => db.OutboxMessages.Where(m => m.Destination == "cleanup-test").Select(m => m.MessageId).ToListAsync());
            if (left.Count <= keptIds.Count || DateTime.UtcNow > deadline)
            {
                break;
            }

            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        Assert.Equal(keptIds, left.Order());
    }

    /// <summary>
    /// A worker whose clock is two months behind the test's, so that its own cleanup round (run at its start) finds
    /// nothing expired among the test's rows, and an <see cref="InboxCleanup"/> of the test's on the worker's services
    /// and the test's clock: only the test's call deletes, so the test sees what one round does.
    /// </summary>
    private static (WorkerFactory Worker, InboxCleanup Cleanup, ManualClock Clock) StartWorkerWithOwnCleanup(
        OrdersTestBed bed, Action<IServiceCollection>? configureServices = null)
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.Zero));
        var workerClock = new ManualClock(clock.GetUtcNow() - TimeSpan.FromDays(60));
        var worker = bed.StartWorker(
            new Dictionary<string, string?> { ["Messaging:Consumer:InboxRetention"] = "7.00:00:00" },
            services =>
            {
                services.AddSingleton<TimeProvider>(workerClock);
                configureServices?.Invoke(services);
            });
        return (worker, ActivatorUtilities.CreateInstance<InboxCleanup>(worker.Services, clock), clock);
    }

    /// <summary>The SQL of the commands on the inbox table that run while <see cref="Recording"/> is set in the caller's flow.</summary>
    private sealed class InboxCommands : DbCommandInterceptor
    {
        private readonly ConcurrentQueue<string> _texts = new();

        public AsyncLocal<bool> Recording { get; } = new();

        public IReadOnlyCollection<string> Texts => _texts.ToArray();

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            Record(command);
            return base.ReaderExecutingAsync(command, eventData, result, cancellationToken);
        }

        public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            Record(command);
            return base.NonQueryExecutingAsync(command, eventData, result, cancellationToken);
        }

        public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken cancellationToken = default)
        {
            Record(command);
            return base.ScalarExecutingAsync(command, eventData, result, cancellationToken);
        }

        private void Record(DbCommand command)
        {
            if (Recording.Value && command.CommandText.Contains("inbox_messages", StringComparison.Ordinal))
            {
                _texts.Enqueue(command.CommandText);
            }
        }
    }
}
