using System.Reflection;
using Company.Starter.ServiceDefaults;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// What every service records. The exporters are added by <see cref="AddOtlpExporter"/> and
/// <see cref="AddPrometheusExporter"/>, each implemented in a file of its own (TelemetryExtensions.Otlp.cs,
/// TelemetryExtensions.Prometheus.cs) where the solution has that exporter; a partial method without a body is a call
/// the compiler drops.
/// </summary>
public static partial class TelemetryExtensions
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

        AddOtlpExporter(builder);
        AddPrometheusExporter(builder);

        return builder;
    }

    /// <summary>Exports traces, metrics and logs over OTLP where a collector is configured.</summary>
    static partial void AddOtlpExporter(IHostApplicationBuilder builder);

    /// <summary>Serves the metrics for Prometheus to scrape (<see cref="ProbeEndpoints.MetricsPath"/>).</summary>
    static partial void AddPrometheusExporter(IHostApplicationBuilder builder);
}
