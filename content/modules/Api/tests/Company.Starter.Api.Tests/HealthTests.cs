using System.Net;
using Company.Starter.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Company.Starter.Api.Tests;

public sealed class HealthTests(TestEnvironment environment)
{
    [Theory]
    [InlineData("/health")]
    [InlineData("/alive")]
    public async Task Health_endpoints_report_healthy_with_the_database_up(string path)
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var client = api.CreateClient();

        var response = await client.GetAsync(path, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task With_a_management_host_the_probes_answer_only_there()
    {
        await using var api = await ApiFactory.StartAsync(
            environment,
            settings: new Dictionary<string, string?> { ["Observability:ManagementHost"] = "localhost:8081" });
        using var client = api.CreateClient();
        var cancellationToken = TestContext.Current.CancellationToken;

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/health", cancellationToken)).StatusCode);

        using var management = new HttpRequestMessage(HttpMethod.Get, "/health");
        management.Headers.Host = "localhost:8081";
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(management, cancellationToken)).StatusCode);
    }

    [Fact]
    public async Task Concurrent_health_calls_run_the_checks_once_per_window()
    {
        // /health answers anyone: a flood of calls must not become a flood of database queries and Redis pings.
        var clock = new ManualClock();
        var runs = 0;
        await using var api = await ApiFactory.StartAsync(environment, services =>
        {
            services.AddSingleton<TimeProvider>(clock);
            services.AddHealthChecks().AddCheck("counted", () =>
            {
                Interlocked.Increment(ref runs);
                return HealthCheckResult.Healthy();
            });
        });
        using var client = api.CreateClient();
        var cancellationToken = TestContext.Current.CancellationToken;

        var burst = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => client.GetAsync("/health", cancellationToken)));
        Assert.All(burst, response => Assert.Equal(HttpStatusCode.OK, response.StatusCode));
        Assert.Equal(1, Volatile.Read(ref runs));

        clock.Advance(TimeSpan.FromSeconds(1)); // still within the window (Observability:HealthCacheDuration, 2 s)
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health", cancellationToken)).StatusCode);
        Assert.Equal(1, Volatile.Read(ref runs));

        clock.Advance(TimeSpan.FromSeconds(1.5)); // past it: the next call runs the checks again, once
        await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => client.GetAsync("/health", cancellationToken)));
        Assert.Equal(2, Volatile.Read(ref runs));

        // Liveness stays cheap: it never runs the readiness checks.
        await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => client.GetAsync("/alive", cancellationToken)));
        Assert.Equal(2, Volatile.Read(ref runs));
    }

    [Fact]
    public async Task An_unknown_route_is_a_404_problem()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var client = api.CreateClient();

        await (await client.GetAsync("/api/nothing-here", TestContext.Current.CancellationToken)).ReadProblemAsync(HttpStatusCode.NotFound, "not_found");
    }
}
