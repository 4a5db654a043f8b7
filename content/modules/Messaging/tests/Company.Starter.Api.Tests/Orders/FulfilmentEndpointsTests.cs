using System.Net;
using Company.Starter.Messaging;
using Company.Starter.Messaging.Orders;
using Company.Starter.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Company.Starter.Api.Tests;

/// <summary>
/// The fulfilment endpoints where the workflows cannot run: Temporal not configured (the default of a new solution), or
/// configured and down. Either way the API starts, answers 404 for an order that does not exist (before it needs
/// Temporal) and 503 <c>workflows_unavailable</c> for one that does, never a 500, and logs no error. The saga itself is
/// tested on Temporal's test server (Company.Starter.Messaging.Tests/Workflows).
/// </summary>
public sealed class FulfilmentEndpointsTests(TestEnvironment environment)
{
    private static CancellationToken CancellationToken => TestContext.Current.CancellationToken;

    /// <summary>The three endpoints of an order, as (method, url) pairs.</summary>
    private static (string Method, string Url)[] EndpointsOf(string id) =>
    [
        ("POST", $"/api/orders/{id}/fulfilment"),
        ("GET", $"/api/orders/{id}/fulfilment"),
        ("POST", $"/api/orders/{id}/fulfilment/cancel"),
    ];

    public static TheoryData<string, string> Endpoints => new()
    {
        { "POST", "/api/orders/{id}/fulfilment" },
        { "GET", "/api/orders/{id}/fulfilment" },
        { "POST", "/api/orders/{id}/fulfilment/cancel" },
    };

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Without_a_temporal_server_configured_the_endpoints_answer_503_workflows_unavailable(string method, string url)
    {
        var errors = new ErrorLog();
        await using var api = await ApiFactory.StartAsync(environment, errors.Register);
        using var client = api.CreateClient();
        var order = await PlaceOrderAsync(api);

        using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), url.Replace("{id}", order.ToString(), StringComparison.Ordinal)), CancellationToken);

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
        var order = await PlaceOrderAsync(api);

        using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), url.Replace("{id}", order.ToString(), StringComparison.Ordinal)), CancellationToken);

        await response.ReadProblemAsync(HttpStatusCode.ServiceUnavailable, "workflows_unavailable");
        Assert.Equal("5", response.Headers.GetValues("Retry-After").Single());
        Assert.Contains(warnings.Entries, entry => entry.Contains("cannot be reached", StringComparison.Ordinal));
        errors.AssertEmpty();
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("0")]
    [InlineData("42")]
    [InlineData("-1")]
    [InlineData("99999999999999999999")]
    [InlineData("0196f1c2-7e3a-7b1c-9d2e-3f4a5b6c7d8")] // one digit short
    [InlineData("0196f1c2-7e3a-7b1c-9d2e-3f4a5b6c7d8g")]
    public async Task A_malformed_order_id_is_a_4xx_problem_never_a_5xx(string id)
    {
        var errors = new ErrorLog();
        await using var api = await ApiFactory.StartAsync(environment, errors.Register);
        using var client = api.CreateClient();

        foreach (var (method, url) in EndpointsOf(id))
        {
            using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), url), CancellationToken);
            var status = (int)response.StatusCode;
            Assert.True(status is >= 400 and < 500, $"{method} {url}: {status}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        errors.AssertEmpty();
    }

    [Theory]
    [InlineData(null)]
    [InlineData("127.0.0.1:9")] // Temporal configured and down: the order is looked up before Temporal is asked
    public async Task An_order_that_does_not_exist_is_a_404_whether_or_not_the_workflows_run(string? temporal)
    {
        var errors = new ErrorLog();
        var settings = new Dictionary<string, string?>();
        if (temporal is not null)
        {
            settings["ConnectionStrings:temporal"] = temporal;
        }

        await using var api = await ApiFactory.StartAsync(environment, errors.Register, settings);
        using var client = api.CreateClient();
        await PlaceOrderAsync(api); // another order exists: only the asked one counts
        var unknown = Guid.CreateVersion7();

        foreach (var (method, url) in EndpointsOf(unknown.ToString()))
        {
            using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), url), CancellationToken);
            var problem = await response.ReadProblemAsync(HttpStatusCode.NotFound, "not_found");
            Assert.Contains(unknown.ToString(), problem.GetProperty("detail").GetString());
            Assert.False(response.Headers.Contains("Retry-After"));
        }

        errors.AssertEmpty();
    }

    [Theory]
    [InlineData(null)]
    [InlineData("127.0.0.1:9")] // Temporal configured and down: the order's status is checked before Temporal is asked
    public async Task Starting_the_fulfilment_of_a_cancelled_order_is_a_409_order_cancelled_whether_or_not_the_workflows_run(string? temporal)
    {
        var errors = new ErrorLog();
        var settings = new Dictionary<string, string?>();
        if (temporal is not null)
        {
            settings["ConnectionStrings:temporal"] = temporal;
        }

        await using var api = await ApiFactory.StartAsync(environment, errors.Register, settings);
        using var client = api.CreateClient();
        var order = await PlaceOrderAsync(api);
        // Nothing in the API cancels an order yet (the status is the customer's or the workflow compensation's to set):
        // the test sets it in the database, as such a path would.
        await using (var scope = api.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<MessagingDbContext>();
            var cancelled = await db.Orders.SingleAsync(o => o.Id == order, CancellationToken);
            cancelled.Status = OrderStatus.Cancelled;
            await db.SaveChangesAsync(CancellationToken);
        }

        using var response = await client.PostAsync($"/api/orders/{order}/fulfilment", content: null, CancellationToken);

        var problem = await response.ReadProblemAsync(HttpStatusCode.Conflict, "order_cancelled");
        Assert.Equal("warning", problem.GetProperty("severity").GetString());
        Assert.Contains(order.ToString(), problem.GetProperty("detail").GetString());
        Assert.False(response.Headers.Contains("Retry-After"));
        errors.AssertEmpty();
    }

    /// <summary>Places an order as the API does (through <see cref="OrderService"/>), whatever the app's sign-in rules.</summary>
    private static async Task<Guid> PlaceOrderAsync(ApiFactory api)
    {
        await using var scope = api.Services.CreateAsyncScope();
        var orders = scope.ServiceProvider.GetRequiredService<OrderService>();
        var order = await orders.PlaceAsync(new OrderInput("c-fulfilment", "LAMP-1", 2, 19.90m), CancellationToken);
        return order.Id;
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
