using System.ComponentModel.DataAnnotations;

namespace Company.Starter.Data;

// The Redis settings, in a file of their own: a solution made with --cache none leaves it out and has no Redis
// setting to validate or to document.
public sealed partial class DataOptions
{
    /// <summary>
    /// The Redis connection (StackExchange.Redis syntax) behind the distributed cache. Left empty, it is read
    /// from <c>ConnectionStrings:redis</c>.
    /// </summary>
    [Required(ErrorMessage = "Set ConnectionStrings:redis (or Data:RedisConnectionString) to the Redis endpoint, e.g. localhost:6379.")]
    public string? RedisConnectionString { get; set; }

    /// <summary>Prefixed to every Redis key, so that several apps or environments can share one Redis safely.</summary>
    [Required]
    [RegularExpression("^[A-Za-z0-9._:-]+$")]
    public string CacheKeyPrefix { get; set; } = "company_starter:";

    /// <summary>
    /// How long connecting to Redis, or one Redis command, may take before the cache gives up and reads from the
    /// database. Redis answers in about a millisecond when it is well; the client's default of 5 s per step is what made
    /// a cache outage an outage. It overrides connectTimeout, syncTimeout and asyncTimeout of the connection string.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:00:30", ParseLimitsInInvariantCulture = true)]
    public TimeSpan RedisTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>After Redis fails, how long the cache skips it (reads go straight to the database) before trying again.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan CacheBreakDuration { get; set; } = TimeSpan.FromSeconds(15);
}
