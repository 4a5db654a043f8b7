using System.ComponentModel.DataAnnotations;

namespace Company.Starter.Messaging.Outbox;

/// <summary>The <c>Messaging:Relay</c> section: how the worker's outbox relay polls, publishes and cleans up.</summary>
public sealed class RelayOptions
{
    public const string SectionName = "Messaging:Relay";

    /// <summary>
    /// How long the relay waits after finding the outbox empty: the upper bound of the latency it adds. 20 ms keeps the
    /// relay's share of an event's latency small (at 100 ms it was most of the p50 in the messaging benchmark's paced
    /// run), for one query per poll on the partial index of unsent rows, which is empty once the relay has caught up.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00", ErrorMessage = "Messaging:Relay:PollInterval must be between 10 ms and 1 minute.")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(20);

    /// <summary>How many rows one publish carries: bigger batches mean fewer round trips, and more to publish again after a crash.</summary>
    [Range(1, 5000, ErrorMessage = "Messaging:Relay:BatchSize must be between 1 and 5000.")]
    public int BatchSize { get; set; } = 200;

    /// <summary>The longest wait between two publish attempts while the broker (or the database) is failing.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00", ErrorMessage = "Messaging:Relay:MaxBackoff must be between 10 ms and 10 minutes.")]
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long sent rows are kept (to see what was published, and when) before the relay deletes them in small batches.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "365.00:00:00", ErrorMessage = "Messaging:Relay:SentRetention must be between 0 and 365 days.")]
    public TimeSpan SentRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How often the relay looks for sent rows past their retention.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "Messaging:Relay:CleanupInterval must be between 1 second and 1 day.")]
    public TimeSpan CleanupInterval { get; set; } = TimeSpan.FromMinutes(10);
}
