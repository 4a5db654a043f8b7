using System.Net;
using Company.Starter.Testing;

namespace Company.Starter.Api.Tests;

public sealed class MetricsEndpointTests(TestEnvironment environment)
{
    [Fact]
    public async Task The_scrape_endpoint_serves_the_request_metric_in_prometheus_text_format()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var client = api.CreateClient();
        var cancellationToken = TestContext.Current.CancellationToken;
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/products/5150", cancellationToken)).StatusCode);

        var response = await client.GetAsync("/metrics", cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        Assert.Contains("# TYPE http_server_request_duration_seconds histogram", text, StringComparison.Ordinal);
        Assert.Contains("http_route=\"/api/products/{id:long}\"", text, StringComparison.Ordinal);
        Assert.Contains("target_info{", text, StringComparison.Ordinal);
        // Gauges named *.count by the semantic conventions are renamed: Prometheus keeps _count for histograms.
        Assert.DoesNotContain("\ndotnet_assembly_count", text, StringComparison.Ordinal);
    }
}
