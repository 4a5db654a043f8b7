using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Company.Starter.ServiceDefaults.Tests.Telemetry;

public sealed class OtlpExportTests
{
    [Fact]
    public async Task With_an_otlp_endpoint_traces_metrics_and_logs_reach_the_collector()
    {
        await using var collector = await FakeCollector.StartAsync();
        await using var app = await ServiceHost.StartAsync(collector.ExporterSettings);
        using var client = app.GetTestClient();

        (await client.GetAsync(ServiceHost.PingPath, TestContext.Current.CancellationToken)).EnsureSuccessStatusCode();
        app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Tests").LogWarning("Stock is low");

        // The server ends the request's span just after the client has the response, so the first flush can come before
        // it: flush until every signal has arrived, or ten seconds have passed and the assertions below say which did not.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(10));
        FakeCollector.Flush(app.Services);
        while (collector.Received.Distinct().Count() < 3 && !deadline.IsCancellationRequested)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50), CancellationToken.None);
            FakeCollector.Flush(app.Services);
        }

        Assert.Contains("traces", collector.Received);
        Assert.Contains("metrics", collector.Received);
        Assert.Contains("logs", collector.Received);
    }
}
