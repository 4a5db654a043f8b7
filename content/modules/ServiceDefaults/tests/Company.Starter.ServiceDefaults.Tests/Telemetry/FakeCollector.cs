using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Company.Starter.ServiceDefaults.Tests.Telemetry;

/// <summary>
/// An OTLP/HTTP receiver on a free local port that records which signals (<c>traces</c>, <c>metrics</c>, <c>logs</c>)
/// arrived: what a collector or the Aspire dashboard would see.
/// </summary>
internal sealed class FakeCollector : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<string> _received = new();

    private FakeCollector(WebApplication app) => _app = app;

    public IReadOnlyCollection<string> Received => _received;

    /// <summary>The settings that point the OTLP exporter here, as Aspire or a deployment would set them.</summary>
    public Dictionary<string, string?> ExporterSettings => new()
    {
        ["OTEL_EXPORTER_OTLP_ENDPOINT"] = _app.Urls.Single(),
        ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
    };

    public static async Task<FakeCollector> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var collector = new FakeCollector(app);
        app.MapPost("/v1/{signal}", (string signal, HttpRequest request) =>
        {
            if (request.ContentType == "application/x-protobuf")
            {
                collector._received.Enqueue(signal);
            }

            return Results.Ok();
        });
        await app.StartAsync(TestContext.Current.CancellationToken);
        return collector;
    }

    /// <summary>Makes the service export what it holds now, instead of at the next batch interval.</summary>
    public static void Flush(IServiceProvider services)
    {
        Assert.True(services.GetRequiredService<TracerProvider>().ForceFlush(10_000));
        // Not asserted: a pull exporter (the Prometheus scrape endpoint, where the solution has one) answers false.
        services.GetRequiredService<MeterProvider>().ForceFlush(10_000);
        Assert.True(services.GetRequiredService<LoggerProvider>().ForceFlush(10_000));
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
