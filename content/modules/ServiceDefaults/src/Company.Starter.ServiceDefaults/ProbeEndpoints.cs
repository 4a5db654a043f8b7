using Company.Starter.ServiceDefaults;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Health probes (and the metrics scrape endpoint, where enabled): what orchestrators and scrapers call. The scrape
/// endpoint is mapped by <see cref="MapMetricsEndpoint"/>, implemented in ProbeEndpoints.Prometheus.cs where the solution
/// exports to Prometheus; without it the call compiles away.
/// </summary>
public static partial class ProbeEndpoints
{
    public const string HealthPath = "/health";
    public const string AlivePath = "/alive";
    public const string MetricsPath = "/metrics";
    public const string LiveTag = "live";

    public static bool IsProbe(PathString path) =>
        path.StartsWithSegments(HealthPath) || path.StartsWithSegments(AlivePath) || path.StartsWithSegments(MetricsPath);

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks()
            // Liveness says only "the process answers"; dependencies belong to readiness.
            .AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag]);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<HealthReportCache>();

        return builder;
    }

    /// <summary>
    /// Maps <c>/health</c> (readiness: every registered check, dependencies included, the report reused for
    /// <c>Observability:HealthCacheDuration</c>) and <c>/alive</c> (liveness: only checks tagged "live", cheap, run on each
    /// call); both answer 503 when unhealthy and 200 when healthy or degraded (a degraded dependency, such as a cache,
    /// is one the app serves without). With <c>Observability:ManagementHost</c> set they, and the metrics endpoint,
    /// answer only on that host and port.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        var managementHost = app.Services.GetRequiredService<IOptions<ObservabilityOptions>>().Value.ManagementHost;

        var health = app.MapMethods(HealthPath, [HttpMethods.Get, HttpMethods.Head], WriteHealthAsync).ExcludeFromDescription();
        var alive = app.MapHealthChecks(AlivePath, new HealthCheckOptions { Predicate = check => check.Tags.Contains(LiveTag) });

        if (!string.IsNullOrEmpty(managementHost))
        {
            health.RequireHost(managementHost);
            alive.RequireHost(managementHost);
        }

        MapMetricsEndpoint(app, managementHost);

        return app;
    }

    /// <summary>Maps <see cref="MetricsPath"/> for Prometheus to scrape, only on <paramref name="managementHost"/> when set.</summary>
    static partial void MapMetricsEndpoint(WebApplication app, string? managementHost);

    /// <summary>The report as the health checks middleware writes it: 200 or 503, the status as plain text, never cached.</summary>
    private static async Task WriteHealthAsync(HttpContext http, HealthReportCache reports)
    {
        var report = await reports.GetAsync(http.RequestAborted);
        http.Response.StatusCode = report.Status == HealthStatus.Unhealthy ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK;
        http.Response.Headers.CacheControl = "no-store, no-cache";
        http.Response.Headers.Pragma = "no-cache";
        http.Response.ContentType = "text/plain";
        if (!HttpMethods.IsHead(http.Request.Method))
        {
            await http.Response.WriteAsync(report.Status.ToString(), http.RequestAborted);
        }
    }
}
