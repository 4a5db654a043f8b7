using Microsoft.AspNetCore.Builder;

namespace Microsoft.Extensions.Hosting;

public static partial class ProbeEndpoints
{
    static partial void MapMetricsEndpoint(WebApplication app, string? managementHost)
    {
        var metrics = app.MapPrometheusScrapingEndpoint(MetricsPath);
        if (!string.IsNullOrEmpty(managementHost))
        {
            metrics.RequireHost(managementHost);
        }
    }
}
