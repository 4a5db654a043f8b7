using System.ComponentModel.DataAnnotations;

namespace Company.Starter.Data;

/// <summary>Settings of the data module, bound from the <c>Data</c> section.</summary>
/// <remarks>The Redis settings are in DataOptions.Redis.cs, which a solution without Redis leaves out.</remarks>
public sealed partial class DataOptions
{
    public const string SectionName = "Data";

    /// <summary>
    /// The database connection string. Left empty, it is read from <c>ConnectionStrings:appdb</c>,
    /// which is where Aspire and most hosts put it. Keep passwords out of appsettings.json:
    /// use user-secrets or the environment (<c>ConnectionStrings__appdb</c>).
    /// </summary>
    [Required(ErrorMessage = "Set ConnectionStrings:appdb (or Data:ConnectionString) to the database connection string.")]
    public string? ConnectionString { get; set; }

    /// <summary>Seconds a single command may run before it is cancelled.</summary>
    [Range(1, 600)]
    public int CommandTimeoutSeconds { get; set; } = 30;

    /// <summary>How long a cached read may be served before it is read again.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan CacheDuration { get; set; } = TimeSpan.FromMinutes(5);
}
