using System.Net;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Hosting;

namespace Company.Starter.ServiceDefaults.Tests.Telemetry;

/// <summary>Without the prometheus exporter there is no scrape endpoint to leak metrics through.</summary>
public sealed class NoPrometheusEndpointTests
{
    [Fact]
    public async Task There_is_no_metrics_endpoint()
    {
        await using var app = await ServiceHost.StartAsync();
        using var client = app.GetTestClient();

        var response = await client.GetAsync(ProbeEndpoints.MetricsPath, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
