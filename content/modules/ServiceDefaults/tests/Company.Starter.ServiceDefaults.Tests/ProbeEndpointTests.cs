using System.Net;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace Company.Starter.ServiceDefaults.Tests;

public sealed class ProbeEndpointTests
{
    private static CancellationToken CancellationToken => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(ProbeEndpoints.HealthPath)]
    [InlineData(ProbeEndpoints.AlivePath)]
    public async Task A_healthy_service_answers_200_healthy_as_plain_text_never_cached(string path)
    {
        await using var app = await ServiceHost.StartAsync();
        using var client = app.GetTestClient();

        var response = await client.GetAsync(path, CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync(CancellationToken));
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.CacheControl?.NoStore, "a probe's answer must never be cached");
    }

    [Fact]
    public async Task An_unhealthy_dependency_fails_readiness_but_not_liveness()
    {
        // Restarting the process (what a failed liveness probe does) does not bring a database back.
        await using var app = await ServiceHost.StartAsync(configure: builder =>
            builder.Services.AddHealthChecks().AddCheck("database", () => HealthCheckResult.Unhealthy("down")));
        using var client = app.GetTestClient();

        var health = await client.GetAsync(ProbeEndpoints.HealthPath, CancellationToken);
        var alive = await client.GetAsync(ProbeEndpoints.AlivePath, CancellationToken);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        Assert.Equal("Unhealthy", await health.Content.ReadAsStringAsync(CancellationToken));
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
    }

    [Fact]
    public async Task A_degraded_dependency_keeps_the_service_ready()
    {
        // A degraded dependency (a cache) is one the service serves without: taking it out of rotation would only hurt.
        await using var app = await ServiceHost.StartAsync(configure: builder =>
            builder.Services.AddHealthChecks().AddCheck("cache", () => HealthCheckResult.Degraded("slow")));
        using var client = app.GetTestClient();

        var health = await client.GetAsync(ProbeEndpoints.HealthPath, CancellationToken);

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("Degraded", await health.Content.ReadAsStringAsync(CancellationToken));
    }

    [Fact]
    public async Task A_head_request_gets_the_status_without_a_body()
    {
        await using var app = await ServiceHost.StartAsync(configure: builder =>
            builder.Services.AddHealthChecks().AddCheck("database", () => HealthCheckResult.Unhealthy("down")));
        using var client = app.GetTestClient();

        using var head = new HttpRequestMessage(HttpMethod.Head, ProbeEndpoints.HealthPath);
        var response = await client.SendAsync(head, CancellationToken);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync(CancellationToken));
    }

    [Theory]
    [InlineData(ProbeEndpoints.HealthPath)]
    [InlineData(ProbeEndpoints.AlivePath)]
    public async Task With_a_management_host_the_probes_answer_only_there(string path)
    {
        await using var app = await ServiceHost.StartAsync(new Dictionary<string, string?> { ["Observability:ManagementHost"] = "localhost:8081" });
        using var client = app.GetTestClient();

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(path, CancellationToken)).StatusCode);

        using var management = new HttpRequestMessage(HttpMethod.Get, path);
        management.Headers.Host = "localhost:8081";
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(management, CancellationToken)).StatusCode);
        // The app's own endpoints stay on every host.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(ServiceHost.PingPath, CancellationToken)).StatusCode);
    }

    [Fact]
    public async Task The_readiness_report_is_reused_for_the_cache_window_then_run_again()
    {
        var clock = new StepClock();
        var runs = 0;
        await using var app = await ServiceHost.StartAsync(
            new Dictionary<string, string?> { ["Observability:HealthCacheDuration"] = "00:00:05" },
            builder =>
            {
                builder.Services.AddSingleton<TimeProvider>(clock);
                builder.Services.AddHealthChecks().AddCheck("counted", () =>
                {
                    Interlocked.Increment(ref runs);
                    return HealthCheckResult.Healthy();
                });
            });
        using var client = app.GetTestClient();

        await client.GetAsync(ProbeEndpoints.HealthPath, CancellationToken);
        clock.Advance(TimeSpan.FromSeconds(4));
        await client.GetAsync(ProbeEndpoints.HealthPath, CancellationToken);
        Assert.Equal(1, Volatile.Read(ref runs));

        clock.Advance(TimeSpan.FromSeconds(2));
        await client.GetAsync(ProbeEndpoints.HealthPath, CancellationToken);
        Assert.Equal(2, Volatile.Read(ref runs));
    }

    /// <summary>A clock that moves only when told to.</summary>
    private sealed class StepClock : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
