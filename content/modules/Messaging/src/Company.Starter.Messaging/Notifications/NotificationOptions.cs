using System.ComponentModel.DataAnnotations;

namespace Company.Starter.Messaging.Notifications;

/// <summary>
/// The <c>Messaging:Notifications</c> section: the Redis stream that carries notifications to the browser and how the
/// Server-Sent Events endpoint reads it.
/// </summary>
public sealed class NotificationOptions : IValidatableObject
{
    public const string SectionName = "Messaging:Notifications";

    /// <summary>
    /// The stream's key, after <c>Data:CacheKeyPrefix</c> (as every Redis key of the app), so that several apps or
    /// environments can share one Redis.
    /// </summary>
    [Required]
    [RegularExpression("^[A-Za-z0-9._:-]{1,100}$", ErrorMessage = "Messaging:Notifications:StreamKey must be 1-100 letters, digits, '.', '_', ':' or '-'.")]
    public string StreamKey { get; set; } = "notifications";

    /// <summary>
    /// About how many entries the stream keeps (<c>XADD MAXLEN ~</c>): the oldest go first. A subscriber away for longer
    /// than this many notifications misses the oldest ones, which is what a toast can afford; Redis memory stays bounded.
    /// </summary>
    [Range(100, 10_000_000)]
    public int MaxLength { get; set; } = 10_000;

    /// <summary>
    /// How often an open stream asks Redis for new entries when the last read found none. The process shares one Redis
    /// connection (StackExchange.Redis multiplexes it), so <c>XREADGROUP BLOCK</c> would stall every other command of the
    /// app: the stream is polled with a non-blocking read instead, and this bounds the latency it adds.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:00:30", ParseLimitsInInvariantCulture = true)]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The most entries one read (or one claim) returns.</summary>
    [Range(1, 1000)]
    public int ReadBatchSize { get; set; } = 100;

    /// <summary>
    /// How long an open stream may stay silent before it sends a comment line: proxies and load balancers close
    /// connections idle for 30-60 s, and a dead client is only noticed when a write fails.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How long an entry must have been delivered and not acknowledged before another connection of the same subscriber
    /// claims it (<c>XAUTOCLAIM</c>): the entries of a connection that died (a crashed or killed API instance) are sent
    /// again by the subscriber's next connection. Keep it well above the time a live connection takes to write an entry,
    /// or a slow connection's entries are sent twice.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00", ParseLimitsInInvariantCulture = true)]
    public TimeSpan ClaimMinIdle { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How many streams one subscriber may have open at once in one API instance. Connections of one subscriber share its
    /// consumer group, so they split its notifications between them: more than a few means a client that reconnects
    /// without closing.
    /// </summary>
    [Range(1, 100)]
    public int MaxStreamsPerSubscriber { get; set; } = 3;

    /// <summary>
    /// How long a subscriber may stay away before its consumer group is destroyed. Every subscriber id a client
    /// invents creates a group (its durable position: a few hundred bytes of Redis memory plus what it holds pending)
    /// that nothing else would ever delete. A subscriber's last-seen time is kept in a sorted set beside the stream
    /// (<c>&lt;stream key&gt;:subscribers</c>), set when it connects, every quarter of this time while a stream of it
    /// is open, and when it disconnects; <see cref="SubscriberSweepInterval"/> destroys the groups not seen for this
    /// long. A subscriber that comes back later starts afresh, from new notifications, like a new one (its
    /// <c>Last-Event-ID</c> no longer replays anything). Keep it longer than a browser tab is usually closed.
    /// </summary>
    [Range(typeof(TimeSpan), "00:01:00", "365.00:00:00", ParseLimitsInInvariantCulture = true)]
    public TimeSpan SubscriberIdleTimeout { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// How often each instance destroys the groups of subscribers idle for <see cref="SubscriberIdleTimeout"/>. Any
    /// number of instances may sweep at once: each group's check-and-destroy is one atomic Redis script, so a subscriber
    /// that connects meanwhile keeps its group. The sweep also starts the idle clock of groups it finds untracked
    /// (created before this tracking existed, or after the set was lost). At most <see cref="SubscriberIdleTimeout"/>.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ParseLimitsInInvariantCulture = true)]
    public TimeSpan SubscriberSweepInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// The most subscribers (consumer groups) the stream keeps, across all instances. Past it, a subscriber Redis has
    /// not seen is refused with 503 <c>subscribers_full</c> (a warning, with Retry-After: the server is full, the client
    /// did nothing wrong) until the sweep frees room, while every known subscriber keeps connecting. This bounds the
    /// Redis memory anonymous clients can take by inventing subscriber ids; it does not stop them from filling it for
    /// <see cref="SubscriberIdleTimeout"/>, so rate-limit the endpoint per client where that matters.
    /// </summary>
    [Range(1, 10_000_000)]
    public int MaxSubscribers { get; set; } = 10_000;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (SubscriberSweepInterval > SubscriberIdleTimeout)
        {
            yield return new ValidationResult(
                "Messaging:Notifications:SubscriberSweepInterval must not be longer than SubscriberIdleTimeout: idle groups would outlive their timeout by more than it.",
                [nameof(SubscriberSweepInterval)]);
        }

        if (ClaimMinIdle <= PollInterval)
        {
            yield return new ValidationResult(
                "Messaging:Notifications:ClaimMinIdle must be longer than PollInterval: a live connection's entries would be claimed by another.",
                [nameof(ClaimMinIdle)]);
        }
    }
}
