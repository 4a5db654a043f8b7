using System.Net;
using Company.Starter.Testing;

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
    public async Task An_unknown_route_is_a_404_problem()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var client = api.CreateClient();

        await (await client.GetAsync("/api/nothing-here", TestContext.Current.CancellationToken)).ReadProblemAsync(HttpStatusCode.NotFound, "not_found");
    }
}
