using System.Runtime.CompilerServices;
using Company.Starter.Messaging.Consumers;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Company.Starter.Messaging.Notifications;

/// <summary>One notification as a connection sends it: the stream entry's id (the event's <c>id</c>) and what it says.</summary>
public sealed record NotificationEvent(string Id, Notification Notification);

/// <summary>
/// What one connection reads, in order: what its <c>Last-Event-ID</c> says the browser may have missed, the entries of
/// dead connections of the same subscriber (<c>XAUTOCLAIM</c>), then new entries (<c>XREADGROUP &gt;</c>), polled.
/// </summary>
/// <remarks>
/// <para>
/// An entry is acknowledged (<c>XACK</c>) when the caller asks for the next item: the caller must ask only after it
/// delivered the entry (wrote and flushed it to the response). An entry whose connection dies before that stays pending
/// and is claimed, after <see cref="NotificationOptions.ClaimMinIdle"/>, by the subscriber's next connection. Delivery
/// is therefore at least once: a browser drops events whose id it has seen.
/// </para>
/// <para>
/// A null item means "nothing to send for <see cref="NotificationOptions.HeartbeatInterval"/>": the caller writes a
/// heartbeat. The first item is always null, so that the response starts at once.
/// </para>
/// </remarks>
public sealed partial class NotificationSubscription : IAsyncDisposable
{
    private readonly IDatabase _database;
    private readonly RedisKey _key;
    private readonly string _group;
    private readonly string _consumer;
    private readonly StreamEntryId? _lastEventId;
    private readonly StreamEntryId? _replayUntil;
    private readonly NotificationOptions _options;
    private readonly NotificationMetrics _metrics;
    private readonly NotificationSubscribers _subscribers;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly Action _release;
    private bool _redisFailing;
    private int _disposed;

    internal NotificationSubscription(
        IDatabase database,
        RedisKey key,
        string group,
        string consumer,
        StreamEntryId? lastEventId,
        StreamEntryId? replayUntil,
        NotificationOptions options,
        NotificationMetrics metrics,
        NotificationSubscribers subscribers,
        TimeProvider clock,
        ILogger logger,
        Action release)
    {
        _database = database;
        _key = key;
        _group = group;
        _consumer = consumer;
        _lastEventId = lastEventId;
        _replayUntil = replayUntil;
        _options = options;
        _metrics = metrics;
        _subscribers = subscribers;
        _clock = clock;
        _logger = logger;
        _release = release;
    }

    /// <summary>The Redis consumer of this connection (in the subscriber's group).</summary>
    public string Consumer => _consumer;

    /// <summary>Reads until <paramref name="cancellationToken"/> is cancelled (the client went away).</summary>
    public async IAsyncEnumerable<NotificationEvent?> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        yield return null; // start the response (headers and a first comment) before anything is read
        var lastWrite = _clock.GetTimestamp();
        var lastClaim = (long?)null;
        var lastSeen = _clock.GetUtcNow(); // OpenAsync marked the subscriber seen

        // 1. What the group delivered after the browser's Last-Event-ID: it may have been lost with the last connection.
        if (_lastEventId is { } after && _replayUntil is { } until)
        {
            var cursor = after;
            while (cursor < until)
            {
                var entries = await RedisOrEmptyAsync(database => database.StreamRangeAsync(_key, "(" + cursor, until.ToString(), _options.ReadBatchSize));
                if (entries.Length == 0)
                {
                    break;
                }

                foreach (var entry in entries)
                {
                    StreamEntryId.TryParse(entry.Id, out cursor);
                    if (Readable(entry) is { } item)
                    {
                        yield return item;
                        if (!await AcknowledgeAsync(entry.Id, cancellationToken))
                        {
                            yield break;
                        }
                    }
                }
            }
        }

        while (!cancellationToken.IsCancellationRequested)
        {
            var sent = 0;

            // An open stream keeps its subscriber from looking idle to the sweep (NotificationOptions.SubscriberIdleTimeout).
            if (_clock.GetUtcNow() - lastSeen >= _subscribers.RefreshInterval)
            {
                lastSeen = _clock.GetUtcNow();
                await RedisOrDefaultAsync(database => _subscribers.TouchAsync(database, _group));
            }

            // 2. The entries dead connections of this subscriber read and never acknowledged.
            if (lastClaim is null || _clock.GetElapsedTime(lastClaim.Value) >= _options.ClaimMinIdle)
            {
                lastClaim = _clock.GetTimestamp();
                foreach (var entry in await ClaimAsync())
                {
                    if (Readable(entry) is { } item)
                    {
                        yield return item;
                        sent++;
                    }

                    if (!await AcknowledgeAsync(entry.Id, cancellationToken))
                    {
                        yield break;
                    }
                }
            }

            // 3. New entries. Never blocking (XREADGROUP BLOCK would hold the process's shared connection): polled.
            var fresh = await RedisOrEmptyAsync(database => database.StreamReadGroupAsync(_key, _group, _consumer, StreamPosition.NewMessages, _options.ReadBatchSize));
            foreach (var entry in fresh)
            {
                if (Readable(entry) is { } item)
                {
                    yield return item;
                    sent++;
                }

                if (!await AcknowledgeAsync(entry.Id, cancellationToken))
                {
                    yield break;
                }
            }

            if (sent > 0)
            {
                lastWrite = _clock.GetTimestamp();
                continue;
            }

            var silence = _clock.GetElapsedTime(lastWrite);
            if (silence >= _options.HeartbeatInterval)
            {
                yield return null;
                lastWrite = _clock.GetTimestamp();
                continue;
            }

            var wait = _redisFailing ? _options.PollInterval * 2 : _options.PollInterval;
            var untilHeartbeat = _options.HeartbeatInterval - silence;
            await Task.Delay(wait < untilHeartbeat ? wait : untilHeartbeat, _clock, cancellationToken);
        }
    }

    /// <summary>
    /// The notification of an entry that is not the browser's already (after its Last-Event-ID) and holds one; the
    /// others are only acknowledged.
    /// </summary>
    private NotificationEvent? Readable(StreamEntry entry)
    {
        if (_lastEventId is { } last && StreamEntryId.TryParse(entry.Id, out var id) && id <= last)
        {
            return null;
        }

        return NotificationStream.FromEntry(entry) is { } notification ? new NotificationEvent(entry.Id!, notification) : null;
    }

    private async Task<StreamEntry[]> ClaimAsync()
    {
        var claimed = new List<StreamEntry>();
        RedisValue start = "0-0";
        // One pass over the group's pending entries, bounded: XAUTOCLAIM scans at most ~10 × count entries per call.
        for (var pass = 0; pass < 10; pass++)
        {
            var result = await RedisOrDefaultAsync(database => database.StreamAutoClaimAsync(
                _key, _group, _consumer, (long)_options.ClaimMinIdle.TotalMilliseconds, start, _options.ReadBatchSize));
            if (result.ClaimedEntries is null)
            {
                break;
            }

            claimed.AddRange(result.ClaimedEntries);
            start = result.NextStartId;
            if (start == "0-0" || claimed.Count >= _options.ReadBatchSize)
            {
                break;
            }
        }

        if (claimed.Count > 0)
        {
            _metrics.Reclaimed(claimed.Count);
            LogClaimed(_logger, claimed.Count, _group, _consumer);
        }

        return [.. claimed];
    }

    /// <summary>
    /// Acknowledges an entry the caller delivered, unless the client went away meanwhile (then the write may not have
    /// reached it: the entry stays pending for the next connection). False when reading should stop.
    /// </summary>
    private async Task<bool> AcknowledgeAsync(RedisValue id, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return false;
        }

        // A failed XACK leaves the entry pending: it is claimed and sent again later, which the browser de-duplicates.
        await RedisOrDefaultAsync(database => database.StreamAcknowledgeAsync(_key, _group, id));
        _metrics.Delivered();
        return true;
    }

    private async Task<StreamEntry[]> RedisOrEmptyAsync(Func<IDatabase, Task<StreamEntry[]>> command) =>
        await RedisOrDefaultAsync(command) ?? [];

    /// <summary>
    /// Runs a Redis command; while Redis fails the stream stays open (heartbeats go on, reads back off) instead of
    /// ending, since a browser's EventSource gives up for good on an error answer to its reconnection.
    /// </summary>
    private async Task<T?> RedisOrDefaultAsync<T>(Func<IDatabase, Task<T>> command)
    {
        try
        {
            var result = await command(_database);
            if (_redisFailing)
            {
                _redisFailing = false;
                LogRedisBack(_logger, _group);
            }

            return result;
        }
        catch (ObjectDisposedException exception)
        {
            // The app is stopping and disposed the connection under a stream that had not seen it yet: end it as stopped.
            throw new OperationCanceledException("The Redis connection was disposed: the app is stopping.", exception);
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            if (!_redisFailing)
            {
                _redisFailing = true;
                LogRedisFailing(_logger, exception, _group); // once per outage, not once per poll
            }

            return default;
        }
    }

    /// <summary>Releases the subscriber's slot and deletes this connection's consumer if it holds nothing.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _release();
        _metrics.StreamClosed();
        try
        {
            // Its idle time counts from now, not from the last refresh.
            await RedisOrDefaultAsync(database => _subscribers.TouchAsync(database, _group));

            // Entries it still holds stay with it for a claim; an empty consumer is only clutter in the group.
            var pending = await RedisOrDefaultAsync(database => database.StreamPendingMessagesAsync(_key, _group, 1, _consumer));
            if (pending is { Length: 0 })
            {
                await RedisOrDefaultAsync(database => database.StreamDeleteConsumerAsync(_key, _group, _consumer));
            }
        }
        catch (OperationCanceledException)
        {
            // The app is stopping: the consumer stays, and the next connection of the subscriber removes it as dead.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Claimed {Count} notification(s) of dead connections of {Group} for {Consumer}")]
    private static partial void LogClaimed(ILogger logger, int count, string group, string consumer);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis failed while streaming notifications to {Group}; the stream stays open and retries")]
    private static partial void LogRedisFailing(ILogger logger, Exception exception, string group);

    [LoggerMessage(Level = LogLevel.Information, Message = "Redis answers again; notifications to {Group} resume")]
    private static partial void LogRedisBack(ILogger logger, string group);
}
