using System.Diagnostics;
using Company.Starter.Messaging.Consumers;
using Company.Starter.Messaging.Envelope;
using Company.Starter.Messaging.Telemetry;
using Company.Starter.Messaging.Transport;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Company.Starter.Messaging.Outbox;

/// <summary>
/// Publishes the outbox: takes the oldest unsent rows in <see cref="OutboxMessage.Sequence"/> order, publishes them as
/// one batch, and marks them sent only after the broker confirmed every one. A crash between the two publishes the
/// batch again on the next run (at-least-once); the consumers' inbox makes the repeat harmless.
/// </summary>
/// <remarks>
/// <para>
/// While the broker is failing the rows stay unsent, their <see cref="OutboxMessage.Attempts"/> and
/// <see cref="OutboxMessage.LastError"/> say why, and the relay backs off (bounded exponential); the API keeps
/// writing orders meanwhile, and once the broker is back everything waiting is delivered, oldest first.
/// </para>
/// <para>
/// Only one relay publishes a database's outbox at a time (<see cref="RelayLease"/>: a PostgreSQL advisory lock held by
/// the active relay; SQLite has a single process), so that with several worker replicas the events of one key still
/// reach the broker in the order they were written. The others wait on standby and take over when it goes away.
/// </para>
/// </remarks>
public sealed partial class OutboxRelay(
    IServiceProvider services,
    IServiceScopeFactory scopes,
    IMessageTransport transport,
    MessagingTelemetry telemetry,
    IOptions<RelayOptions> options,
    TimeProvider time,
    ILogger<OutboxRelay> logger) : BackgroundService
{
    private readonly RelayOptions _options = options.Value;
    private DateTimeOffset _nextCleanup = DateTimeOffset.MinValue;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var lease = await RelayLease.TryAcquireAsync(services, stoppingToken);
                if (lease is null)
                {
                    // Another replica is the active relay: check now and then whether it is still there.
                    await Task.Delay(_options.PollInterval * 10, time, stoppingToken);
                    continue;
                }

                LogActive(logger);
                failures = 0;
                await RelayWhileLeaseHeldAsync(lease, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                // The database is unreachable (or the lease's connection broke): wait, then take the lease again.
                failures++;
                var delay = Backoff.Exponential(_options.PollInterval, _options.MaxBackoff, failures);
                LogDatabaseFailed(logger, failures, delay, OneLine(exception));
                await Task.Delay(delay, time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    private async Task RelayWhileLeaseHeldAsync(RelayLease lease, CancellationToken stoppingToken)
    {
        var brokerFailures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            await lease.EnsureHeldAsync(stoppingToken);
            int published;
            try
            {
                published = await PublishBatchAsync(stoppingToken);
                if (brokerFailures > 0)
                {
                    LogBrokerBack(logger, brokerFailures);
                }

                brokerFailures = 0;
            }
            catch (BrokerPublishException exception)
            {
                brokerFailures++;
                var delay = Backoff.Exponential(_options.PollInterval, _options.MaxBackoff, brokerFailures);
                LogBrokerFailed(logger, exception.Count, brokerFailures, delay, OneLine(exception.InnerException!));
                await Task.Delay(delay, time, stoppingToken);
                continue;
            }

            await CleanupIfDueAsync(stoppingToken);
            if (published < _options.BatchSize)
            {
                // Caught up: nothing more until the next poll. A full batch goes on at once.
                await Task.Delay(_options.PollInterval, time, stoppingToken);
            }
        }
    }

    /// <summary>Publishes the oldest unsent rows, at most one batch; returns how many were published.</summary>
    internal async Task<int> PublishBatchAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MessagingDbContext>();
        var rows = await db.OutboxMessages.AsNoTracking()
            .Where(message => message.SentAt == null)
            .OrderBy(message => message.Sequence)
            .Take(_options.BatchSize)
            .ToListAsync(cancellationToken);
        if (rows.Count == 0)
        {
            return 0;
        }

        var sequences = rows.Select(row => row.Sequence).ToList();
        var previous = Activity.Current;
        var spans = new List<Activity>(rows.Count);
        try
        {
            var messages = new List<TransportMessage>(rows.Count);
            foreach (var row in rows)
            {
                var span = MessagingTelemetry.StartSend(transport.System, row.Destination, row.MessageId.ToString(), row.TraceParent, row.TraceState);
                var trace = new Dictionary<string, string>(StringComparer.Ordinal);
                if (span is not null)
                {
                    spans.Add(span);
                    MessagingTelemetry.Inject(span, trace);
                }
                else if (row.TraceParent is not null)
                {
                    // Not recorded here (sampled out, or no listener): the consumer still joins the request's trace.
                    trace[MessagingTelemetry.TraceParentHeader] = row.TraceParent;
                    if (row.TraceState is not null)
                    {
                        trace[MessagingTelemetry.TraceStateHeader] = row.TraceState;
                    }
                }

                messages.Add(CloudEventEnvelope.ToTransportMessage(row, trace));
            }

            // Each span is a sibling under its own request's trace, not a child of the one started before it.
            Activity.Current = previous;
            try
            {
                await transport.PublishAsync(messages, cancellationToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                foreach (var span in spans)
                {
                    MessagingTelemetry.Failed(span, exception);
                }

                await RecordFailureAsync(db, sequences, exception, cancellationToken);
                throw new BrokerPublishException(rows.Count, exception);
            }
        }
        finally
        {
            foreach (var span in spans)
            {
                span.Dispose();
            }

            Activity.Current = previous;
        }

        // Only now, after the broker confirmed: a crash before this line publishes the batch again, never loses it.
        var now = time.GetUtcNow();
        await db.OutboxMessages
            .Where(message => sequences.Contains(message.Sequence))
            .ExecuteUpdateAsync(set => set
                .SetProperty(message => message.SentAt, now)
                .SetProperty(message => message.Attempts, message => message.Attempts + 1)
                .SetProperty(message => message.LastError, (string?)null), CancellationToken.None);

        foreach (var destination in rows.GroupBy(row => row.Destination))
        {
            telemetry.Published(transport.System, destination.Key, destination.Count());
        }

        return rows.Count;
    }

    private async Task RecordFailureAsync(MessagingDbContext db, List<long> sequences, Exception exception, CancellationToken cancellationToken)
    {
        var error = OneLine(exception);
        if (error.Length > 2000)
        {
            error = error[..2000];
        }

        await db.OutboxMessages
            .Where(message => sequences.Contains(message.Sequence))
            .ExecuteUpdateAsync(set => set
                .SetProperty(message => message.Attempts, message => message.Attempts + 1)
                .SetProperty(message => message.LastError, error), cancellationToken);
    }

    /// <summary>
    /// Deletes sent rows older than the retention, a small batch at a time, so the outbox table stays
    /// small without a long delete holding locks the API's writes wait on.
    /// </summary>
    internal async Task<int> CleanupIfDueAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (now < _nextCleanup)
        {
            return 0;
        }

        _nextCleanup = now + _options.CleanupInterval;
        var cutoff = now - _options.SentRetention;
        var deleted = 0;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MessagingDbContext>();
        // The time is compared in SQL (ix_outbox_messages_sent_at, which holds only the sent rows, serves it; on SQLite
        // the timestamps are stored as numbers that order like the times): each statement deletes at most one batch and
        // reads none of the kept or unsent rows. A bounded number of batches per round leaves the rest to the next one.
        for (var round = 0; round < 100; round++)
        {
            var batch = await db.OutboxMessages
                .Where(message => message.SentAt != null && message.SentAt < cutoff)
                .OrderBy(message => message.SentAt) // oldest first, along the index (and EF Core warns of a Take without an order)
                .Take(CleanupBatchSize)
                .ExecuteDeleteAsync(cancellationToken);
            deleted += batch;
            if (batch < CleanupBatchSize)
            {
                break;
            }
        }

        if (deleted > 0)
        {
            LogCleanedUp(logger, deleted, _options.SentRetention);
        }

        return deleted;
    }

    private const int CleanupBatchSize = 500;

    internal static string OneLine(Exception exception) =>
        $"{exception.GetType().Name}: {exception.Message.ReplaceLineEndings(" ")}";

    /// <summary>The broker did not confirm a batch: the rows stay unsent and the relay backs off.</summary>
    private sealed class BrokerPublishException(int count, Exception inner) : Exception(inner.Message, inner)
    {
        public int Count { get; } = count;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "This worker is now the active outbox relay")]
    private static partial void LogActive(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publishing {Count} outbox message(s) failed (failure {Failures} in a row); they stay in the outbox and the relay retries in {Delay}: {Error}")]
    private static partial void LogBrokerFailed(ILogger logger, int count, int failures, TimeSpan delay, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "The broker confirms publishes again after {Failures} failure(s)")]
    private static partial void LogBrokerBack(ILogger logger, int failures);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The outbox relay lost the database (failure {Failures} in a row); retrying in {Delay}: {Error}")]
    private static partial void LogDatabaseFailed(ILogger logger, int failures, TimeSpan delay, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted {Count} sent outbox message(s) older than {Retention}")]
    private static partial void LogCleanedUp(ILogger logger, int count, TimeSpan retention);
}
