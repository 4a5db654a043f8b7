namespace TemplatePack.Tests.Run.Sweep;

/// <summary>
/// The state a generator draws on: the seeded random source (so one seed names one sweep), the rows the test set up,
/// and unique suffixes that keep a legal create from colliding with another (a duplicate SKU or email would be refused
/// for the wrong reason).
/// </summary>
public sealed class SweepContext(int seed, long seededId, long targetId)
{
    /// <summary>Ids well-formed but far above anything the sweep creates, so a write to one can only be a 404.</summary>
    public const long MissingIdBase = 900_000_000_000;

    private int _unique;

    public int Seed { get; } = seed;

    public Random Random { get; } = new(seed);

    /// <summary>The product every sweep leaves intact (checked afterwards): read, never written.</summary>
    public long SeededId { get; } = seededId;

    /// <summary>The product updates aim at, so a wrongly accepted update changes nothing the test checks.</summary>
    public long TargetId { get; } = targetId;

    public int NextUnique() => Interlocked.Increment(ref _unique);

    public long MissingId() => MissingIdBase + Random.Next(1_000_000);

    public T Pick<T>(IReadOnlyList<T> options) => options[Random.Next(options.Count)];
}
