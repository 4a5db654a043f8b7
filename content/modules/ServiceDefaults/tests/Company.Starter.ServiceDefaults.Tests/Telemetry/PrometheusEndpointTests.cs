using System.Net;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Hosting;

namespace Company.Starter.ServiceDefaults.Tests.Telemetry;

public sealed class PrometheusEndpointTests
{
    private static CancellationToken CancellationToken => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_scrape_endpoint_serves_the_request_metric_in_prometheus_text_format()
    {
        await using var app = await ServiceHost.StartAsync();
        using var client = app.GetTestClient();
        (await client.GetAsync(ServiceHost.PingPath, CancellationToken)).EnsureSuccessStatusCode();

        var response = await client.GetAsync(ProbeEndpoints.MetricsPath, CancellationToken);
        var text = await response.Content.ReadAsStringAsync(CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("# TYPE http_server_request_duration_seconds histogram", text, StringComparison.Ordinal);
        Assert.Contains($"http_route=\"{ServiceHost.PingPath}\"", text, StringComparison.Ordinal);
        // Gauges named *.count by the semantic conventions are renamed: Prometheus keeps _count for histograms.
        Assert.Contains("\ndotnet_assembly_current", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\ndotnet_assembly_count", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_a_management_host_the_scrape_endpoint_answers_only_there()
    {
        await using var app = await ServiceHost.StartAsync(new Dictionary<string, string?> { ["Observability:ManagementHost"] = "localhost:8081" });
        using var client = app.GetTestClient();

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(ProbeEndpoints.MetricsPath, CancellationToken)).StatusCode);

        using var management = new HttpRequestMessage(HttpMethod.Get, ProbeEndpoints.MetricsPath);
        management.Headers.Host = "localhost:8081";
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(management, CancellationToken)).StatusCode);
    }
}
