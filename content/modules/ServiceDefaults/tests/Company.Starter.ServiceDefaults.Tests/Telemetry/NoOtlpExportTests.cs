using Microsoft.AspNetCore.TestHost;

namespace Company.Starter.ServiceDefaults.Tests.Telemetry;

/// <summary>With the prometheus exporter alone, telemetry stays in the process: only /metrics is read from outside.</summary>
public sealed class NoOtlpExportTests
{
    [Fact]
    public async Task An_otlp_endpoint_in_the_settings_exports_nothing()
    {
        await using var collector = await FakeCollector.StartAsync();
        await using var app = await ServiceHost.StartAsync(collector.ExporterSettings);
        using var client = app.GetTestClient();

        (await client.GetAsync(ServiceHost.PingPath, TestContext.Current.CancellationToken)).EnsureSuccessStatusCode();
        FakeCollector.Flush(app.Services);

        Assert.Empty(collector.Received);
    }
}
