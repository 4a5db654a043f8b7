using System.ComponentModel.DataAnnotations;

namespace Company.Starter.Messaging.Consumers;

/// <summary>The <c>Messaging:Consumer</c> section: how often and how patiently a consumer retries before dead-lettering.</summary>
public sealed class ConsumerOptions : IValidatableObject
{
    public const string SectionName = "Messaging:Consumer";

    /// <summary>Attempts at handling one message (the first included) before it goes to the dead letters.</summary>
    [Range(1, 100, ErrorMessage = "Messaging:Consumer:MaxAttempts must be between 1 and 100.")]
    public int MaxAttempts { get; set; } = 5;

    /// <summary>The wait before the first retry; each further retry waits twice as long, up to <see cref="RetryMaxDelay"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00", ErrorMessage = "Messaging:Consumer:RetryBaseDelay must be between 0 and 1 minute.")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// The longest wait between two attempts. The message's partition or queue waits meanwhile (order per key is kept),
    /// so the whole retry budget should stay well under the broker's session or delivery timeouts.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00", ErrorMessage = "Messaging:Consumer:RetryMaxDelay must be between 0 and 5 minutes.")]
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The most messages handled in one transaction: those the broker already has ready behind the first (a batch never
    /// waits to fill up). One inbox query, one save and one commit per batch instead of per message is what lets a
    /// consumer keep up with its broker; if a batch's transaction fails, its messages are handled again one by one with
    /// the usual retries and dead letters. 1 handles every message in a transaction of its own. Brokers whose transport
    /// does not batch (see <c>IMessageTransport.SubscribeBatchesAsync</c>) always deliver batches of one.
    /// </summary>
    [Range(1, 10_000, ErrorMessage = "Messaging:Consumer:MaxBatchSize must be between 1 and 10000.")]
    public int MaxBatchSize { get; set; } = 100;

    /// <summary>The longest wait before a subscription that failed (the broker went away) is started again.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00", ErrorMessage = "Messaging:Consumer:RestartMaxDelay must be between 10 ms and 10 minutes.")]
    public TimeSpan RestartMaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long the inbox keeps a handled message's row (deleted in small batches afterwards, see
    /// <c>InboxCleanup</c>). It must exceed the broker's redelivery horizon (a Kafka topic's retention, a queue's or
    /// stream's max age): a message delivered again after its row was deleted would have its effect twice.
    /// </summary>
    [Range(typeof(TimeSpan), "01:00:00", "365.00:00:00", ErrorMessage = "Messaging:Consumer:InboxRetention must be between 1 hour and 365 days.")]
    public TimeSpan InboxRetention { get; set; } = TimeSpan.FromDays(7);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (RetryMaxDelay < RetryBaseDelay)
        {
            yield return new ValidationResult(
                "Messaging:Consumer:RetryMaxDelay must not be shorter than Messaging:Consumer:RetryBaseDelay.",
                [nameof(RetryMaxDelay), nameof(RetryBaseDelay)]);
        }
    }

    /// <summary>The wait after failed attempt <paramref name="attempt"/> (1-based): exponential, bounded.</summary>
    public TimeSpan RetryDelay(int attempt) => Backoff.Exponential(RetryBaseDelay, RetryMaxDelay, attempt);

    /// <summary>
    /// The longest one message waits out its retries: the delays after attempts 1 to <see cref="MaxAttempts"/> - 1. A
    /// broker that takes a message back after a time without an answer (Kafka's <c>max.poll.interval.ms</c>, NATS's
    /// <c>AckWait</c>) must wait longer than that, or it hands the message to another consumer while this one retries.
    /// </summary>
    public TimeSpan RetryBudget => TimeSpan.FromTicks(Enumerable.Range(1, Math.Max(MaxAttempts - 1, 0)).Sum(attempt => RetryDelay(attempt).Ticks));
}

/// <summary>Bounded exponential backoff: base, 2 x base, 4 x base ... never more than the bound.</summary>
internal static class Backoff
{
    public static TimeSpan Exponential(TimeSpan baseDelay, TimeSpan maxDelay, int failures)
    {
        if (failures <= 1 || baseDelay <= TimeSpan.Zero)
        {
            return baseDelay < maxDelay ? baseDelay : maxDelay;
        }

        // 2^(n-1), capped before it can overflow.
        var factor = Math.Pow(2, Math.Min(failures - 1, 30));
        var ticks = Math.Min(baseDelay.Ticks * factor, maxDelay.Ticks);
        return TimeSpan.FromTicks((long)ticks);
    }
}
