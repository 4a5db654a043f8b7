using System.ComponentModel.DataAnnotations;

namespace Company.Starter.ServiceDefaults;

/// <summary>Telemetry and probe settings, bound from the <c>Observability</c> section.</summary>
public sealed class ObservabilityOptions
{
    public const string SectionName = "Observability";

    /// <summary>The <c>service.name</c> resource attribute; defaults to the application name.</summary>
    public string? ServiceName { get; set; }

    /// <summary>
    /// Share of new traces to record, from 0 to 1. Sampling is parent-based: a request that arrives with a sampled
    /// <c>traceparent</c> is always recorded, so a trace is never cut in half between services.
    /// </summary>
    [Range(0.0, 1.0)]
    public double TraceSampleRatio { get; set; } = 1.0;

    /// <summary>
    /// When set (for example <c>*:8081</c>), <c>/health</c>, <c>/alive</c> and the metrics endpoint answer only on this
    /// host and port: probes and scrapers reach them, the public listener behind the ingress does not.
    /// </summary>
    [RegularExpression(@"^[^\s/]+:\d{1,5}$", ErrorMessage = "ManagementHost is host:port, e.g. *:8081.")]
    public string? ManagementHost { get; set; }

    /// <summary>
    /// How long a <c>/health</c> report is reused before the checks run again. Probes come every few seconds; anything
    /// more often only loads the database and Redis (and anyone can call <c>/health</c>). 0 runs them on every call.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan HealthCacheDuration { get; set; } = TimeSpan.FromSeconds(2);
}
