using System.Net;
using Company.Starter.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Company.Starter.Api.Tests;

/// <summary>
/// The fulfilment endpoints where the workflows cannot run: Temporal not configured (the default of a new solution), or
/// configured and down. Either way the API starts and answers 503 <c>workflows_unavailable</c>, never a 500, and logs
/// no error. The saga itself is tested on Temporal's test server (Company.Starter.Messaging.Tests/Workflows).
/// </summary>
public sealed class FulfilmentEndpointsTests(TestEnvironment environment)
{
    private static CancellationToken CancellationToken => TestContext.Current.CancellationToken;

    public static TheoryData<string, string> Endpoints => new()
    {
        { "POST", "/api/orders/42/fulfilment" },
        { "GET", "/api/orders/42/fulfilment" },
        { "POST", "/api/orders/42/fulfilment/cancel" },
    };

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Without_a_temporal_server_configured_the_endpoints_answer_503_workflows_unavailable(string method, string url)
    {
        var errors = new ErrorLog();
        await using var api = await ApiFactory.StartAsync(environment, errors.Register);
        using var client = api.CreateClient();

        using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), url), CancellationToken);

        var problem = await response.ReadProblemAsync(HttpStatusCode.ServiceUnavailable, "workflows_unavailable");
        Assert.Equal("warning", problem.GetProperty("severity").GetString());
        Assert.Contains("ConnectionStrings:temporal", problem.GetProperty("detail").GetString());
        Assert.False(response.Headers.Contains("Retry-After")); // retrying will not help until someone configures it
        errors.AssertEmpty();
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task With_temporal_down_the_api_starts_and_the_endpoints_answer_503_to_retry_with_a_warning(string method, string url)
    {
        var errors = new ErrorLog();
        var warnings = new WarningLog();
        await using var api = await ApiFactory.StartAsync(
            environment,
            services =>
            {
                errors.Register(services);
                services.AddSingleton<ILoggerProvider>(warnings);
            },
            // A port nothing listens on: the lazy client fails to connect at the request, not at start.
            new Dictionary<string, string?> { ["ConnectionStrings:temporal"] = "127.0.0.1:9" });
        using var client = api.CreateClient();

        using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), url), CancellationToken);

        await response.ReadProblemAsync(HttpStatusCode.ServiceUnavailable, "workflows_unavailable");
        Assert.Equal("5", response.Headers.GetValues("Retry-After").Single());
        Assert.Contains(warnings.Entries, entry => entry.Contains("cannot be reached", StringComparison.Ordinal));
        errors.AssertEmpty();
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("+5")]
    [InlineData("1e3")]
    [InlineData("99999999999999999999")]
    public async Task A_bad_order_id_is_a_400_problem(string id)
    {
        var errors = new ErrorLog();
        await using var api = await ApiFactory.StartAsync(environment, errors.Register);
        using var client = api.CreateClient();

        foreach (var (method, url) in new[] { ("POST", $"/api/orders/{id}/fulfilment"), ("GET", $"/api/orders/{id}/fulfilment"), ("POST", $"/api/orders/{id}/fulfilment/cancel") })
        {
            using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), url), CancellationToken);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        errors.AssertEmpty();
    }

    /// <summary>What the app logs at Warning, to see that an unreachable Temporal is reported (not silently answered).</summary>
    private sealed class WarningLog : ILoggerProvider
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _entries = new();

        public IReadOnlyCollection<string> Entries => _entries.ToArray();

        public ILogger CreateLogger(string categoryName) => new Logger(_entries);

        public void Dispose()
        {
        }

        private sealed class Logger(System.Collections.Concurrent.ConcurrentQueue<string> entries) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel == LogLevel.Warning;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (IsEnabled(logLevel))
                {
                    entries.Enqueue(formatter(state, exception));
                }
            }
        }
    }
}
