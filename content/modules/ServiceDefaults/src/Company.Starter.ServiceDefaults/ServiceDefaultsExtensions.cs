using Company.Starter.ServiceDefaults;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Defaults every service of the solution shares, in the style of .NET Aspire's ServiceDefaults:
/// OpenTelemetry, structured logs that carry the trace, health probes, HTTP resilience and service discovery.
/// </summary>
public static class ServiceDefaultsExtensions
{
    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        // A wrong setting ends the process with one line naming it and exit code 1, not a stack trace and a core dump.
        HostExitCode.ExitOnInvalidSettings();
        builder.Services.AddOptions<ObservabilityOptions>()
            .BindConfiguration(ObservabilityOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        builder.AddTraceJsonConsole();
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();

        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            // Retries, timeouts and a circuit breaker for every outgoing HttpClient.
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });

        return builder;
    }
}
