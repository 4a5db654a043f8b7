#if (UsePrometheus)
using System.Diagnostics.Metrics;
#endif
using System.Reflection;
using Company.Starter.ServiceDefaults;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
#if (!PrometheusOnly)
using OpenTelemetry;
#endif
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

public static class TelemetryExtensions
{
    /// <summary>Every module names its ActivitySource and Meter under this prefix, so one wildcard collects them all.</summary>
    public const string TelemetryPrefix = "Company.Starter";

    /// <summary>
    /// Traces, metrics and logs through OpenTelemetry: resource attributes, ASP.NET Core, HttpClient and runtime
    /// instrumentation, every module's sources and meters, parent-based ratio sampling, and the exporters.
    /// </summary>
    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        var serviceName = builder.Configuration[$"{ObservabilityOptions.SectionName}:{nameof(ObservabilityOptions.ServiceName)}"]
            ?? builder.Environment.ApplicationName;
        var serviceVersion = Assembly.GetEntryAssembly()?.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? "unknown";

        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource
                .AddService(serviceName, serviceVersion: serviceVersion, serviceInstanceId: Environment.MachineName)
                .AddAttributes([new("deployment.environment.name", builder.Environment.EnvironmentName)]))
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter($"{TelemetryPrefix}.*"))
            .WithTracing(tracing => tracing
                .SetSampler(services => new ParentBasedSampler(
                    new TraceIdRatioBasedSampler(services.GetRequiredService<IOptions<ObservabilityOptions>>().Value.TraceSampleRatio)))
                .AddSource(builder.Environment.ApplicationName)
                .AddSource($"{TelemetryPrefix}.*")
                .AddAspNetCoreInstrumentation(aspnet =>
                    // Probes and scrapes hit these every few seconds; tracing them only buries real requests.
                    aspnet.Filter = context => !ProbeEndpoints.IsProbe(context.Request.Path))
                .AddHttpClientInstrumentation());

#if (!PrometheusOnly)
        // OTLP (gRPC or HTTP, per OTEL_EXPORTER_OTLP_PROTOCOL) wherever a collector is configured; Aspire sets
        // OTEL_EXPORTER_OTLP_ENDPOINT for every resource it runs and shows the result in its dashboard.
        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            builder.Services.AddOpenTelemetry().UseOtlpExporter();
        }
#endif
#if (UsePrometheus)
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddView(PrometheusSafeName)
            .AddPrometheusExporter());
#endif

        return builder;
    }
#if (UsePrometheus)

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
#endif
}
