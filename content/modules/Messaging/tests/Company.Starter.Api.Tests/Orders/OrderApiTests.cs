using System.Data.Common;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Company.Starter.Messaging;
using Company.Starter.Messaging.Events;
using Company.Starter.Messaging.Orders;
using Company.Starter.Messaging.Transport;
using Company.Starter.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Company.Starter.Api.Tests.Orders;

/// <summary>
/// Placing an order through the API: the order and its event commit together (or not at all), the API never needs the
/// broker, and a client's mistakes are 4xx problems.
/// </summary>
public sealed class OrderApiTests(TestEnvironment environment)
{
    private static CancellationToken CancellationToken => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_placed_order_is_201_and_its_event_waits_in_the_outbox_beside_it()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var client = api.CreateClient();

        var response = await client.PostAsJsonAsync("/api/orders", new { customerId = "c-1", sku = "LAMP-1", quantity = 3, unitPrice = 19.90m }, CancellationToken);

        var created = (await response.ReadDataAsync(HttpStatusCode.Created)).GetProperty("data");
        var id = created.GetProperty("id").GetGuid();
        Assert.Equal($"/api/orders/{id}", response.Headers.Location?.OriginalString);
        Assert.Equal("placed", created.GetProperty("status").GetString());
        Assert.Equal(59.70m, created.GetProperty("amount").GetDecimal());
        Assert.Equal(JsonValueKind.Null, created.GetProperty("receipt").ValueKind);

        await using var scope = api.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MessagingDbContext>();
        var message = Assert.Single(await db.OutboxMessages.ToListAsync(CancellationToken));
        Assert.Equal(id.ToString(), message.Key);
        Assert.Equal(OrderPlaced.EventType, message.Type);
        Assert.Equal("orders", message.Destination);
        Assert.Equal(7, message.MessageId.Version);
        Assert.Null(message.SentAt);
        var placed = JsonSerializer.Deserialize(message.Payload, MessagingJsonContext.Default.OrderPlaced);
        Assert.Equal(new OrderPlaced(id, "c-1", "LAMP-1", 3, 59.70m, placed!.PlacedAt), placed);
        Assert.Equal(1, await db.Orders.CountAsync(o => o.Id == id, CancellationToken));
    }

    [Fact]
    public async Task Orders_are_accepted_with_no_broker_at_all_and_every_event_waits_in_order()
    {
        // The API side has no transport registered, so no broker address, reachable or not, can slow or fail a write:
        // the relay in the worker publishes what waits here.
        await using var api = await ApiFactory.StartAsync(environment);
        Assert.Null(api.Services.GetService<IMessageTransport>());
        using var client = api.CreateClient();

        var ids = new List<Guid>();
        for (var i = 1; i <= 5; i++)
        {
            var response = await client.PostAsJsonAsync("/api/orders", new { customerId = "c-2", sku = $"SKU-{i}", quantity = i, unitPrice = 1m }, CancellationToken);
            ids.Add((await response.ReadDataAsync(HttpStatusCode.Created)).GetProperty("data").GetProperty("id").GetGuid());
        }

        await using var scope = api.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MessagingDbContext>();
        var waiting = await db.OutboxMessages.Where(m => m.SentAt == null).OrderBy(m => m.Sequence).Select(m => m.Key).ToListAsync(CancellationToken);
        Assert.Equal(ids.Select(id => id.ToString()), waiting);
    }

    [Fact]
    public async Task The_event_carries_the_trace_context_of_the_request_that_placed_the_order()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var client = api.CreateClient();
        var traceId = ActivityTraceId.CreateRandom();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/orders")
        {
            Content = JsonContent.Create(new { customerId = "c-3", sku = "MUG-1", quantity = 1, unitPrice = 5m }),
        };
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");

        await (await client.SendAsync(request, CancellationToken)).ReadDataAsync(HttpStatusCode.Created);

        await using var scope = api.Services.CreateAsyncScope();
        var message = await scope.ServiceProvider.GetRequiredService<MessagingDbContext>().OutboxMessages.SingleAsync(CancellationToken);
        Assert.StartsWith($"00-{traceId}-", message.TraceParent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_save_that_fails_after_the_inserts_ran_leaves_neither_the_order_nor_its_event()
    {
        // The database has run both inserts when the failure strikes (after the outbox's insert, before the commit): the
        // order and its event are one transaction, so both are rolled back.
        var failure = new FailAfterOutboxInsert();
        await using var api = await ApiFactory.StartAsync(
            environment, services => services.ConfigureDbContext<MessagingDbContext>(db => db.AddInterceptors(failure)));
        var input = new OrderInput("c-4", "DESK-1", 1, 250m);

        await using (var scope = api.Services.CreateAsyncScope())
        {
            var orders = scope.ServiceProvider.GetRequiredService<OrderService>();
            var thrown = await Assert.ThrowsAsync<DbUpdateException>(() => orders.PlaceAsync(input, CancellationToken));
            Assert.IsType<InvalidOperationException>(thrown.InnerException);
        }

        Assert.True(failure.Failed, "The outbox's insert never ran.");
        await using (var scope = api.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<MessagingDbContext>();
            Assert.Equal(0, await db.Orders.CountAsync(CancellationToken));
            Assert.Equal(0, await db.OutboxMessages.CountAsync(CancellationToken));
        }

        // The pooled context that failed serves the next order without the failed one's rows.
        failure.Armed = false;
        await using (var scope = api.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<OrderService>().PlaceAsync(input, CancellationToken);
            var db = scope.ServiceProvider.GetRequiredService<MessagingDbContext>();
            Assert.Equal(1, await db.Orders.CountAsync(CancellationToken));
            Assert.Equal(1, await db.OutboxMessages.CountAsync(CancellationToken));
        }
    }

    [Fact]
    public async Task Invalid_input_is_a_400_problem_naming_each_field_and_logs_no_error()
    {
        var errors = new ErrorLog();
        await using var api = await ApiFactory.StartAsync(environment, errors.Register);
        using var client = api.CreateClient();

        var response = await client.PostAsJsonAsync("/api/orders", new { customerId = "", sku = "bad sku!", quantity = 0, unitPrice = 1.001m }, CancellationToken);

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal("warning", problem.GetProperty("severity").GetString());
        foreach (var field in new[] { "customerId", "sku", "quantity", "unitPrice" })
        {
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"No error on '{field}': {problem}");
        }

        errors.AssertEmpty();
        await using var scope = api.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MessagingDbContext>();
        Assert.Equal(0, await db.Orders.CountAsync(CancellationToken));
        Assert.Equal(0, await db.OutboxMessages.CountAsync(CancellationToken));
    }

    [Fact]
    public async Task An_unknown_order_is_a_404_problem()
    {
        var errors = new ErrorLog();
        await using var api = await ApiFactory.StartAsync(environment, errors.Register);
        using var client = api.CreateClient();

        var problem = await (await client.GetAsync($"/api/orders/{Guid.CreateVersion7()}", CancellationToken))
            .ReadProblemAsync(HttpStatusCode.NotFound, "not_found");

        Assert.Equal("info", problem.GetProperty("severity").GetString());
        errors.AssertEmpty();
    }

    [Fact]
    public async Task An_order_shows_its_receipt_once_the_consumer_issued_one()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var client = api.CreateClient();
        var created = (await (await client.PostAsJsonAsync("/api/orders", new { customerId = "c-5", sku = "PEN-1", quantity = 2, unitPrice = 1.50m }, CancellationToken))
            .ReadDataAsync(HttpStatusCode.Created)).GetProperty("data");
        var id = created.GetProperty("id").GetGuid();
        var issuedAt = new DateTimeOffset(2026, 5, 1, 12, 0, 0, TimeSpan.Zero);

        // What the worker's consumer writes when it handles the OrderPlaced event.
        await using (var scope = api.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<MessagingDbContext>();
            db.Receipts.Add(new Receipt { OrderId = id, Amount = 3.00m, IssuedAt = issuedAt, MessageId = Guid.CreateVersion7() });
            await db.SaveChangesAsync(CancellationToken);
        }

        var read = (await (await client.GetAsync($"/api/orders/{id}", CancellationToken)).ReadDataAsync(HttpStatusCode.OK)).GetProperty("data");
        Assert.Equal("confirmed", read.GetProperty("status").GetString());
        Assert.Equal(3.00m, read.GetProperty("receipt").GetProperty("amount").GetDecimal());
        Assert.Equal(issuedAt, read.GetProperty("receipt").GetProperty("issuedAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task A_retried_request_with_the_same_idempotency_key_places_one_order_and_one_event()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var client = api.CreateClient();
        var key = Guid.NewGuid().ToString();

        var responses = new List<HttpResponseMessage>();
        for (var i = 0; i < 2; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/orders")
            {
                Content = JsonContent.Create(new { customerId = "c-6", sku = "CUP-1", quantity = 1, unitPrice = 2m }),
            };
            request.Headers.Add("Idempotency-Key", key);
            responses.Add(await client.SendAsync(request, CancellationToken));
        }

        var first = (await responses[0].ReadDataAsync(HttpStatusCode.Created)).GetProperty("data").GetProperty("id").GetGuid();
        var second = (await responses[1].ReadDataAsync(HttpStatusCode.Created)).GetProperty("data").GetProperty("id").GetGuid();
        Assert.Equal(first, second);
        Assert.Equal("true", Assert.Single(responses[1].Headers.GetValues("Idempotent-Replayed")));
        await using var scope = api.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MessagingDbContext>();
        Assert.Equal(1, await db.Orders.CountAsync(CancellationToken));
        Assert.Equal(1, await db.OutboxMessages.CountAsync(CancellationToken));
    }

    [Fact]
    public async Task The_apps_migrate_command_creates_the_order_tables()
    {
        // The deployment step as a user runs it (`dotnet Company.Starter.Api.dll migrate`, a process of its own): the
        // app's AddMessaging registered the messaging tables, so its migrate applies their migrations after the app's.
        await using var settings = await environment.CreateAppSettingsAsync(createDatabase: false, CancellationToken);

        var (exitCode, error) = await RunApiAsync(settings.Values, "migrate");

        Assert.True(exitCode == 0, $"migrate exited {exitCode}: {error}");
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(settings.Values);
        builder.AddData();
        builder.Services.AddModuleDbContext<MessagingDbContext>(MessagingDbContext.MigrationsHistoryTable);
        using var host = builder.Build();
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MessagingDbContext>();
        Assert.Equal(db.Database.GetMigrations(), await db.Database.GetAppliedMigrationsAsync(CancellationToken));
        Assert.Equal(0, await db.OutboxMessages.CountAsync(CancellationToken));
    }

    /// <summary>Runs the built API (next to the tests) with <paramref name="settings"/> as environment variables.</summary>
    private static async Task<(int ExitCode, string Error)> RunApiAsync(IReadOnlyDictionary<string, string?> settings, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, $"{typeof(Program).Assembly.GetName().Name}.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        var output = process.StandardOutput.ReadToEndAsync(CancellationToken);
        var error = process.StandardError.ReadToEndAsync(CancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(CancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        await output;
        return (process.ExitCode, await error);
    }

    /// <summary>
    /// Fails a save after the database ran the outbox's insert (the order's ran before or with it), before the commit:
    /// the moment a crash or a lost connection would strike.
    /// </summary>
    private sealed class FailAfterOutboxInsert : DbCommandInterceptor
    {
        public bool Armed { get; set; } = true;

        public bool Failed { get; private set; }

        public override async ValueTask<DbDataReader> ReaderExecutedAsync(
            DbCommand command, CommandExecutedEventData eventData, DbDataReader result, CancellationToken cancellationToken = default)
        {
            // PostgreSQL's SQL names the table bare, SQLite's quotes it.
            if (Armed && (command.CommandText.Contains("INSERT INTO outbox_messages", StringComparison.OrdinalIgnoreCase)
                || command.CommandText.Contains("INSERT INTO \"outbox_messages\"", StringComparison.OrdinalIgnoreCase)))
            {
                Failed = true;
                await result.DisposeAsync();
                throw new InvalidOperationException("Forced failure after the outbox's insert.");
            }

            return result;
        }
    }
}
