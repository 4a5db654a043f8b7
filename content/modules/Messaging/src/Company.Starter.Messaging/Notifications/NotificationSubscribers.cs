using Company.Starter.Data;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Company.Starter.Messaging.Notifications;

/// <summary>
/// Keeps the stream's consumer groups bounded: one per subscriber, and a client can invent subscriber ids at will.
/// Each group's last-seen time is a member of one sorted set (<see cref="NotificationStream.SubscribersKey"/>): the
/// groups idle past <see cref="NotificationOptions.SubscriberIdleTimeout"/> are one range query away (the sweep), and
/// the number of groups is its size (the cap, <see cref="NotificationOptions.MaxSubscribers"/>).
/// </summary>
/// <remarks>
/// Why a sorted set: a key with a TTL per subscriber would expire by itself, but the group lives inside the stream and
/// would not go with it (Redis has no hook for that short of keyspace notifications, which are fire-and-forget); a hash
/// of last-seen times would have to be read whole on every sweep. The set answers both questions in O(log n), and its
/// checks run as Lua scripts, atomic in Redis, so instances that connect and sweep at once never race: a subscriber
/// marked seen before the sweep's check keeps its group, one marked after it gets a new group.
/// Groups do not slow <c>XADD</c> (it does not touch them, nor does trimming); what they cost is memory, and
/// <c>XINFO GROUPS</c> time.
/// </remarks>
public sealed partial class NotificationSubscribers(
    RedisConnection redis,
    NotificationStream stream,
    IOptions<NotificationOptions> options,
    NotificationMetrics metrics,
    TimeProvider clock,
    ILogger<NotificationSubscribers> logger)
{
    /// <summary>Marks a known subscriber seen, or admits a new one while the set is below the cap. 1 admitted, 0 refused.</summary>
    private const string AdmitScript = """
        if redis.call('ZSCORE', KEYS[1], ARGV[1]) or redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[3]) then
          redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
          return 1
        end
        return 0
        """;

    /// <summary>Destroys a group and forgets it, if it was still not seen since the cutoff. 1 swept, 0 kept.</summary>
    private const string SweepScript = """
        local seen = redis.call('ZSCORE', KEYS[1], ARGV[1])
        if not seen or tonumber(seen) >= tonumber(ARGV[2]) then
          return 0
        end
        if redis.call('EXISTS', KEYS[2]) == 1 then
          redis.pcall('XGROUP', 'DESTROY', KEYS[2], ARGV[1])
        end
        redis.call('ZREM', KEYS[1], ARGV[1])
        return 1
        """;

    /// <summary>How many idle candidates one sweep round reads at a time.</summary>
    private const int SweepPage = 500;

    private int _refusing;

    /// <summary>How often an open stream marks its subscriber seen: often enough never to look idle while open.</summary>
    public TimeSpan RefreshInterval => options.Value.SubscriberIdleTimeout / 4;

    /// <summary>
    /// Marks <paramref name="group"/> seen now. A subscriber Redis does not know is admitted only while there are fewer
    /// than <see cref="NotificationOptions.MaxSubscribers"/>: false means refused (nothing was created).
    /// </summary>
    public async Task<bool> AdmitAsync(IDatabase database, string group)
    {
        var admitted = (int)await database.ScriptEvaluateAsync(
            AdmitScript, [stream.SubscribersKey], [group, Now(), options.Value.MaxSubscribers]) == 1;
        if (!admitted)
        {
            metrics.SubscriberRefused();
            if (Interlocked.Exchange(ref _refusing, 1) == 0)
            {
                LogFull(logger, options.Value.MaxSubscribers); // once until one is admitted again, not once per request
            }
        }
        else if (Volatile.Read(ref _refusing) == 1)
        {
            Interlocked.Exchange(ref _refusing, 0);
        }

        return admitted;
    }

    /// <summary>Marks a subscriber with a stream open seen now (if the set still has it: only the sweep removes it).</summary>
    public Task<bool> TouchAsync(IDatabase database, string group) =>
        database.SortedSetAddAsync(stream.SubscribersKey, group, Now(), SortedSetWhen.Exists);

    /// <summary>
    /// Destroys the groups of subscribers not seen for <see cref="NotificationOptions.SubscriberIdleTimeout"/>, after
    /// starting the idle clock of groups the set does not track. Returns how many it destroyed.
    /// </summary>
    /// <exception cref="RedisException">Redis failed (or a <see cref="TimeoutException"/>); the next sweep goes on.</exception>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var database = (await redis.GetAsync().WaitAsync(cancellationToken)).GetDatabase();
        var now = Now();
        if (await database.KeyTypeAsync(stream.Key) == RedisType.Stream)
        {
            var groups = await database.StreamGroupInfoAsync(stream.Key);
            if (groups.Length > 0)
            {
                // NX: a tracked group keeps its last-seen time; an untracked one is seen "now", so it goes after the timeout.
                await database.SortedSetAddAsync(
                    stream.SubscribersKey, [.. groups.Select(group => new SortedSetEntry(group.Name, now))], SortedSetWhen.NotExists);
            }
        }

        var cutoff = now - (long)options.Value.SubscriberIdleTimeout.TotalMilliseconds;
        var swept = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            var idle = await database.SortedSetRangeByScoreAsync(
                stream.SubscribersKey, double.NegativeInfinity, cutoff, Exclude.Stop, take: SweepPage);
            var round = 0;
            foreach (var group in idle)
            {
                round += (int)await database.ScriptEvaluateAsync(SweepScript, [stream.SubscribersKey, stream.Key], [group, cutoff]);
            }

            swept += round;
            // Each candidate is swept or was seen meanwhile (then it is out of the range): a short page is the last.
            if (idle.Length < SweepPage || round == 0)
            {
                break;
            }
        }

        if (swept > 0)
        {
            metrics.SubscribersSwept(swept);
            LogSwept(logger, swept, options.Value.SubscriberIdleTimeout);
        }

        return swept;
    }

    private long Now() => clock.GetUtcNow().ToUnixTimeMilliseconds();

    [LoggerMessage(Level = LogLevel.Warning, Message = "The notification stream has {MaxSubscribers} subscribers (Messaging:Notifications:MaxSubscribers): new subscribers are refused with 503 until idle ones are swept")]
    private static partial void LogFull(ILogger logger, int maxSubscribers);

    [LoggerMessage(Level = LogLevel.Information, Message = "Destroyed the consumer groups of {Count} notification subscriber(s) not seen for {IdleTimeout}")]
    private static partial void LogSwept(ILogger logger, int count, TimeSpan idleTimeout);
}
