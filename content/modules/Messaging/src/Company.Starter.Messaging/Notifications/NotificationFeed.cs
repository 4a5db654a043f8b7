using Company.Starter.Data;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Company.Starter.Messaging.Notifications;

/// <summary>
/// Opens subscriptions to the notification stream: one Redis consumer group per subscriber (a durable position in the
/// stream that outlives connections), one consumer per connection. See <see cref="NotificationSubscription"/> for what
/// a connection reads.
/// </summary>
public sealed partial class NotificationFeed(
    RedisConnection redis,
    NotificationStream stream,
    IOptions<NotificationOptions> options,
    NotificationMetrics metrics,
    NotificationSubscribers subscribers,
    TimeProvider clock,
    ILogger<NotificationFeed> logger)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, int> _openStreams = new(StringComparer.Ordinal);

    /// <summary>
    /// Opens a connection's subscription to <paramref name="group"/>'s notifications, or refuses it: when the subscriber
    /// already has <see cref="NotificationOptions.MaxStreamsPerSubscriber"/> streams open in this instance, or when it is
    /// new and the stream has <see cref="NotificationOptions.MaxSubscribers"/> subscribers already. With
    /// <paramref name="lastEventId"/> (the browser's <c>Last-Event-ID</c>), everything up to it is acknowledged (the
    /// browser has it) and what the group delivered after it is sent again (it may have been lost with the connection).
    /// </summary>
    /// <exception cref="RedisException">Redis is unreachable (or a <see cref="TimeoutException"/>): nothing was opened.</exception>
    public async Task<NotificationOpening> OpenAsync(string group, StreamEntryId? lastEventId, CancellationToken cancellationToken)
    {
        if (!TryReserve(group))
        {
            return new NotificationOpening(null, NotificationRefusal.TooManyStreams);
        }

        try
        {
            var settings = options.Value;
            var database = (await redis.GetAsync().WaitAsync(cancellationToken)).GetDatabase();

            // Seen (or admitted) before the group is created: a sweep running meanwhile then keeps it, or destroyed it
            // before, and it is created anew here.
            if (!await subscribers.AdmitAsync(database, group))
            {
                Release(group);
                return new NotificationOpening(null, NotificationRefusal.TooManySubscribers);
            }

            await EnsureGroupAsync(database, group);

            StreamEntryId? replayUntil = null;
            if (lastEventId is { } last)
            {
                await AcknowledgeUpToAsync(database, group, last, settings.ReadBatchSize);
                var info = (await database.StreamGroupInfoAsync(stream.Key)).FirstOrDefault(candidate => candidate.Name == group);
                if (StreamEntryId.TryParse(info.LastDeliveredId, out var delivered) && delivered > last)
                {
                    replayUntil = delivered;
                }
            }

            await RemoveDeadConsumersAsync(database, group, settings.ClaimMinIdle);
            var consumer = "c-" + Guid.NewGuid().ToString("N");
            metrics.StreamOpened();
            LogOpened(logger, group, consumer, lastEventId?.ToString());
            return new NotificationOpening(
                new NotificationSubscription(
                    database, stream.Key, group, consumer, lastEventId, replayUntil, settings, metrics, subscribers, clock, logger, () => Release(group)),
                NotificationRefusal.None);
        }
        catch
        {
            Release(group);
            throw;
        }
    }

    /// <summary>
    /// Creates the group at the stream's end (<c>$</c>): a new subscriber gets what happens from now on, not the
    /// stream's history. <c>MKSTREAM</c> creates the stream when nothing was published yet.
    /// </summary>
    private async Task EnsureGroupAsync(IDatabase database, string group)
    {
        try
        {
            await database.StreamCreateConsumerGroupAsync(stream.Key, group, StreamPosition.NewMessages, createStream: true);
        }
        catch (RedisServerException exception) when (exception.Message.StartsWith("BUSYGROUP", StringComparison.Ordinal))
        {
            // The subscriber's group exists: it resumes where it left off.
        }
    }

    /// <summary>Acknowledges the group's pending entries up to <paramref name="last"/>, whichever consumer holds them.</summary>
    private async Task AcknowledgeUpToAsync(IDatabase database, string group, StreamEntryId last, int batchSize)
    {
        while (true)
        {
            var pending = await database.StreamPendingMessagesAsync(
                stream.Key, group, batchSize, RedisValue.Null, minId: "-", maxId: last.ToString());
            if (pending.Length == 0)
            {
                return;
            }

            await database.StreamAcknowledgeAsync(stream.Key, group, [.. pending.Select(entry => entry.MessageId)]);
            if (pending.Length < batchSize)
            {
                return;
            }
        }
    }

    /// <summary>
    /// Deletes the consumers of connections that are gone and hold nothing: without it every connection ever made would
    /// stay listed in the group. A consumer that still holds entries is kept (deleting it would drop them) until a claim
    /// empties it; a live one wrongly taken for dead is recreated by its next read.
    /// </summary>
    private async Task RemoveDeadConsumersAsync(IDatabase database, string group, TimeSpan minIdle)
    {
        foreach (var consumer in await database.StreamConsumerInfoAsync(stream.Key, group))
        {
            if (consumer.PendingMessageCount == 0 && consumer.IdleTimeInMilliseconds > minIdle.TotalMilliseconds)
            {
                await database.StreamDeleteConsumerAsync(stream.Key, group, consumer.Name);
            }
        }
    }

    private bool TryReserve(string group)
    {
        lock (_gate)
        {
            var open = _openStreams.GetValueOrDefault(group);
            if (open >= options.Value.MaxStreamsPerSubscriber)
            {
                return false;
            }

            _openStreams[group] = open + 1;
            return true;
        }
    }

    private void Release(string group)
    {
        lock (_gate)
        {
            if (_openStreams.TryGetValue(group, out var open) && open > 1)
            {
                _openStreams[group] = open - 1;
            }
            else
            {
                _openStreams.Remove(group);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Notification stream opened for {Group} as {Consumer} (Last-Event-ID {LastEventId})")]
    private static partial void LogOpened(ILogger logger, string group, string consumer, string? lastEventId);
}

/// <summary>What <see cref="NotificationFeed.OpenAsync"/> opened, or why it opened nothing.</summary>
public readonly record struct NotificationOpening(NotificationSubscription? Subscription, NotificationRefusal Refusal);

/// <summary>Why a subscription was not opened.</summary>
public enum NotificationRefusal
{
    /// <summary>Opened.</summary>
    None,

    /// <summary>The subscriber has <see cref="NotificationOptions.MaxStreamsPerSubscriber"/> streams open in this instance.</summary>
    TooManyStreams,

    /// <summary>A new subscriber, and the stream has <see cref="NotificationOptions.MaxSubscribers"/> already.</summary>
    TooManySubscribers,
}
