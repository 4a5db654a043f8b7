namespace Company.Starter.Data.Sales;

/// <summary>The width of one bar on a dashboard chart.</summary>
public enum TimeBucket
{
    Minute,
    Hour,
    Day,
}

public static class TimeBucketExtensions
{
    public static TimeSpan Width(this TimeBucket bucket) => bucket switch
    {
        TimeBucket.Minute => TimeSpan.FromMinutes(1),
        TimeBucket.Hour => TimeSpan.FromHours(1),
        TimeBucket.Day => TimeSpan.FromDays(1),
        _ => throw new ArgumentOutOfRangeException(nameof(bucket), bucket, "Unknown time bucket."),
    };
}
