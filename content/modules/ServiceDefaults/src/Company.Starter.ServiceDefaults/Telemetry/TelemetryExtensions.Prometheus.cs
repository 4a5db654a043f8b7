using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;

namespace Microsoft.Extensions.Hosting;

public static partial class TelemetryExtensions
{
    static partial void AddPrometheusExporter(IHostApplicationBuilder builder)
    {
        // ProbeEndpoints.MapDefaultEndpoints maps the scrape endpoint.
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddView(PrometheusSafeName)
            .AddPrometheusExporter());
    }

    /// <summary>
    /// Prometheus reserves the <c>_count</c> suffix for histograms and summaries (<c>promtool check metrics</c> flags it),
    /// while OpenTelemetry's semantic conventions name some gauges <c>*.count</c> (<c>db.client.connection.count</c>,
    /// <c>dotnet.assembly.count</c>). Those gauges are exported as <c>*.current</c>; counters (which gain <c>_total</c>)
    /// and histograms keep their names.
    /// </summary>
    private static MetricStreamConfiguration? PrometheusSafeName(Instrument instrument) =>
        instrument.Name.EndsWith(".count", StringComparison.Ordinal) && IsGauge(instrument)
            ? new MetricStreamConfiguration { Name = $"{instrument.Name[..^".count".Length]}.current" }
            : null;

    private static bool IsGauge(Instrument instrument) =>
        instrument.GetType() is { IsGenericType: true } type
        && type.GetGenericTypeDefinition() is var kind
        && (kind == typeof(UpDownCounter<>) || kind == typeof(ObservableUpDownCounter<>) || kind == typeof(Gauge<>) || kind == typeof(ObservableGauge<>));
}
