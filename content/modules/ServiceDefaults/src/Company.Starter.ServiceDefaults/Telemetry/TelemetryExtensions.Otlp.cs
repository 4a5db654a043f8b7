using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;

namespace Microsoft.Extensions.Hosting;

public static partial class TelemetryExtensions
{
    static partial void AddOtlpExporter(IHostApplicationBuilder builder)
    {
        // OTLP (gRPC or HTTP, per OTEL_EXPORTER_OTLP_PROTOCOL) wherever a collector is configured; Aspire sets
        // OTEL_EXPORTER_OTLP_ENDPOINT for every resource it runs and shows the result in its dashboard.
        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            builder.Services.AddOpenTelemetry().UseOtlpExporter();
        }
    }
}
