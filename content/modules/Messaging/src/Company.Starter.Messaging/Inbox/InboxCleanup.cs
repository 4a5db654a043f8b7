using Company.Starter.Messaging.Consumers;
using Company.Starter.Messaging.Outbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Company.Starter.Messaging.Inbox;

/// <summary>
/// Keeps the inbox from growing for ever: every <see cref="RelayOptions.CleanupInterval"/> it deletes the rows handled
/// longer ago than <see cref="ConsumerOptions.InboxRetention"/>, a small batch at a time so that no long delete holds
/// locks the consumers' inserts wait on. A row is what makes a redelivery harmless, so the retention must exceed the
/// longest time the broker may deliver a message again (its redelivery horizon: a Kafka topic's retention, a queue's
/// or stream's max age, a relay repeating a publish after a crash).
/// </summary>
public sealed partial class InboxCleanup(
    IServiceScopeFactory scopes,
    IOptions<ConsumerOptions> consumerOptions,
    IOptions<RelayOptions> relayOptions,
    TimeProvider time,
    ILogger<InboxCleanup> logger) : BackgroundService
{
    private const int BatchSize = 500;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await CleanupAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                // The next round tries again; the inbox only keeps a few more rows meanwhile.
                LogCleanupFailed(logger, $"{exception.GetType().Name}: {exception.Message.ReplaceLineEndings(" ")}");
            }

            await Task.Delay(relayOptions.Value.CleanupInterval, time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>Deletes the inbox rows older than the retention; returns how many.</summary>
    public async Task<int> CleanupAsync(CancellationToken cancellationToken)
    {
        var retention = consumerOptions.Value.InboxRetention;
        var cutoff = time.GetUtcNow() - retention;
        var deleted = 0;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MessagingDbContext>();
        // The time is compared in SQL (ix_inbox_messages_handled_at serves it; on SQLite the timestamps are stored as
        // numbers that order like the times, MessagingDbContext.Sqlite.cs): each statement deletes at most one batch of
        // expired rows and reads none of the kept ones, however many the table holds.
        while (true)
        {
            var batch = await db.InboxMessages
                .Where(m => m.HandledAt < cutoff)
                .OrderBy(m => m.HandledAt) // oldest first, along the index (and EF Core warns of a Take without an order)
                .Take(BatchSize)
                .ExecuteDeleteAsync(cancellationToken);
            deleted += batch;
            if (batch < BatchSize)
            {
                break;
            }
        }

        if (deleted > 0)
        {
            LogCleanedUp(logger, deleted, retention);
        }

        return deleted;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted {Count} inbox row(s) older than {Retention}")]
    private static partial void LogCleanedUp(ILogger logger, int count, TimeSpan retention);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The inbox cleanup failed; trying again at its next round: {Error}")]
    private static partial void LogCleanupFailed(ILogger logger, string error);
}
