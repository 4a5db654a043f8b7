using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Company.Starter.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Company.Starter.Api.Tests;

/// <summary>
/// Proves that the telemetry is emitted, not only configured: in-memory exporters receive what an OTLP collector
/// or a Prometheus scrape would. Activity sources and meters are process-wide, so these tests run alone: a span of a
/// test running in parallel would otherwise land in their exporters.
/// </summary>
[Collection(nameof(TelemetryTests))]
public sealed class TelemetryTests(TestEnvironment environment)
{
    private static CancellationToken CancellationToken => TestContext.Current.CancellationToken;

    private readonly List<Activity> _spans = [];
    private readonly List<Metric> _metrics = [];
    private readonly List<LogRecord> _logs = [];

    [Fact]
    public async Task A_request_is_one_trace_with_a_database_child_span_and_a_correlated_log()
    {
        await using var api = await StartAsync();
        using var client = api.CreateClient();

        var response = await client.PostAsJsonAsync("/api/products", new { sku = "TRACE-1", name = "Traced", price = 1 }, CancellationToken);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        await FlushUntilAsync(api, () => _spans.Any(s => s.Kind == ActivityKind.Server));

        var server = Assert.Single(_spans, s => s.Kind == ActivityKind.Server && s.DisplayName.StartsWith("POST", StringComparison.Ordinal));
        Assert.Equal("/api/products/", server.GetTagItem("http.route"));
        Assert.Equal(201, server.GetTagItem("http.response.status_code"));

        var database = _spans.Where(s => s.Kind == ActivityKind.Client && s.TraceId == server.TraceId).ToList();
        Assert.NotEmpty(database);
        Assert.All(database, span => Assert.True(IsDescendantOf(span, server), $"{span.DisplayName} is not inside the request span"));

        var created = Assert.Single(_logs, l => l.CategoryName?.EndsWith(".ProductCatalog", StringComparison.Ordinal) == true);
        Assert.Equal(server.TraceId, created.TraceId);
        Assert.Contains("TRACE-1", created.FormattedMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_request_duration_metric_is_recorded_per_route_and_status()
    {
        await using var api = await StartAsync();
        using var client = api.CreateClient();

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/products/4040", CancellationToken)).StatusCode);
        await FlushUntilAsync(api, () => _metrics.Any(m => m.Name == "http.server.request.duration"));

        var duration = _metrics.Where(m => m.Name == "http.server.request.duration").ToList();
        Assert.NotEmpty(duration);
        var points = duration.SelectMany(Points).ToList();
        Assert.Contains(points, p => Tag(p, "http.route") == "/api/products/{id:long}" && Tag(p, "http.response.status_code") == "404" && p.GetHistogramCount() >= 1);
    }

    [Fact]
    public async Task Business_metrics_and_spans_of_the_data_module_are_emitted()
    {
        await using var api = await StartAsync();
        using var client = api.CreateClient();
        var productId = (await (await client.PostAsJsonAsync("/api/products", new { sku = "BIZ-1", name = "Biz", price = 2.5m }, CancellationToken))
            .ReadDataAsync(HttpStatusCode.Created)).GetProperty("data").GetProperty("id").GetInt64();

        await (await client.PostAsJsonAsync("/api/sales", new { productId, quantity = 4 }, CancellationToken)).ReadDataAsync(HttpStatusCode.Created);
        await (await client.GetAsync("/api/sales/summary?bucket=day", CancellationToken)).ReadDataAsync(HttpStatusCode.OK);
        await FlushUntilAsync(api, () => _spans.Any(s => s.DisplayName == "sales.summarize") && _metrics.Any(m => m.Name == "sales.units"));

        // Each flush exports the cumulative state again: the latest export holds the totals.
        var units = _metrics.Last(m => m.Name == "sales.units");
        Assert.Equal(4, Points(units).Sum(p => p.GetSumLong()));
        var revenue = _metrics.Last(m => m.Name == "sales.revenue");
        Assert.Equal(10.0, Points(revenue).Sum(p => p.GetSumDouble()), precision: 6);

        var summarize = Assert.Single(_spans, s => s.DisplayName == "sales.summarize");
        Assert.Equal("day", summarize.GetTagItem("sales.bucket"));
        Assert.Contains(_spans, s => s.Kind == ActivityKind.Client && IsDescendantOf(s, summarize));
    }

    private Task<ApiFactory> StartAsync() => ApiFactory.StartAsync(environment, services =>
    {
        services.AddOpenTelemetry()
            .WithTracing(tracing => tracing.AddInMemoryExporter(_spans))
            .WithMetrics(metrics => metrics.AddInMemoryExporter(_metrics));
        services.AddLogging(logging => logging.AddOpenTelemetry(otel => otel.AddInMemoryExporter(_logs)));
    });

    /// <summary>
    /// Flushes the exporters until <paramref name="arrived"/> holds (bounded): the server records a request's span and
    /// duration when the request ends, which can be just after the client has read the response.
    /// </summary>
    private static async Task FlushUntilAsync(ApiFactory api, Func<bool> arrived)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        do
        {
            api.Services.GetRequiredService<TracerProvider>().ForceFlush();
            api.Services.GetRequiredService<MeterProvider>().ForceFlush();
            api.Services.GetRequiredService<LoggerProvider>().ForceFlush();
            if (arrived())
            {
                return;
            }

            await Task.Delay(50, CancellationToken);
        }
        while (DateTime.UtcNow < deadline);
    }

    private bool IsDescendantOf(Activity span, Activity ancestor)
    {
        for (var parentId = span.ParentSpanId; parentId != default;)
        {
            if (parentId == ancestor.SpanId)
            {
                return true;
            }

            var parent = _spans.FirstOrDefault(s => s.SpanId == parentId);
            if (parent is null)
            {
                return false;
            }

            parentId = parent.ParentSpanId;
        }

        return false;
    }

    private static IEnumerable<MetricPoint> Points(Metric metric)
    {
        foreach (ref readonly var point in metric.GetMetricPoints())
        {
            yield return point;
        }
    }

    private static string? Tag(MetricPoint point, string key)
    {
        foreach (var tag in point.Tags)
        {
            if (tag.Key == key)
            {
                return Convert.ToString(tag.Value, System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return null;
    }
}

[CollectionDefinition(nameof(TelemetryTests), DisableParallelization = true)]
public sealed class TelemetryTestsCollection;
