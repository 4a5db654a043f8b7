using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using TemplatePack.Tests.Fixture;
using TemplatePack.Tests.Run;
using static TemplatePack.Tests.Run.HttpJson;

namespace TemplatePack.Tests.Tiers;

/// <summary>
/// The messaging starter as an operator runs it: the built API and worker as two processes in Production, over one
/// database and a real broker (RabbitMQ or NATS from the harness's services; Kafka as librdkafka's mock cluster in this
/// process). It proves, counting rows in the database, that no order's event is lost or handled twice: while the
/// broker is unreachable the API keeps accepting orders and the events wait; when it returns every one is delivered;
/// a worker killed with SIGKILL in the middle of a batch and started again leaves every order with exactly one receipt.
/// </summary>
[Trait("Tier", "run")]
public sealed class MessagingRunTests(TemplatePackFixture fixture, ITestOutputHelper output)
{
    private const int OrdersDuringOutage = 60;
    private const int OrdersInTheKilledBatch = 400;
    private static readonly TimeSpan DeliveryTimeout = TimeSpan.FromSeconds(120);

    public static TheoryData<string> ScenarioIds => new(Scenarios.All.Where(s => s.Messaging).Select(s => s.Id));

    [Theory]
    [MemberData(nameof(ScenarioIds))]
    public async Task No_event_is_lost_or_handled_twice(string scenarioId)
    {
        var scenario = Scenarios.Get(scenarioId);
        await using var broker = MessagingBroker.Start(scenario);
        // One client places every order: the per-client rate limit would answer 429 in place of the writes under test.
        var settings = new Dictionary<string, string?>(broker.Settings)
        {
            ["Api__RateLimitBurst"] = "1000000",
            ["Api__RateLimitPerSecond"] = "1000000",
        };
        await using var running = await ScenarioApp.StartAsync(fixture, scenario, "messaging", settings);
        var solution = await fixture.BuiltAsync(scenario);
        var ledger = new MessagingLedger(running.DatabaseConnectionString, scenario.UsesPostgres);
        var api = running.Host.Client;
        ApiHost? worker = null;
        var deadLettered = 0;
        try
        {
            // 1. The broker is unreachable: the worker's relay cannot publish, the API accepts every order regardless.
            var unreachable = new Dictionary<string, string?>(running.Environment) { [broker.ConnectionStringKey] = broker.Unreachable };
            worker = await ApiHost.StartAsync(solution, unreachable, solution.WorkerDll);
            await PlaceOrdersAsync(api, OrdersDuringOutage, "outage");
            var during = await ledger.CountAsync();
            output.WriteLine($"broker unreachable: {during.Orders} orders accepted, {during.Unsent} events waiting, {during.Receipts} receipts");
            Assert.Equal(OrdersDuringOutage, during.Orders);
            Assert.Equal(OrdersDuringOutage, during.Unsent);
            Assert.Equal(0, during.Receipts);
            using (var alive = await worker.Client.GetAsync("/alive", TestContext.Current.CancellationToken))
            {
                Assert.True(alive.StatusCode == HttpStatusCode.OK, $"The worker must stay up while the broker is down: /alive → {(int)alive.StatusCode}\n{worker.Output}");
            }

            // 2. The broker is back (the worker restarted with its address): every waiting event is delivered once.
            deadLettered += DeadLetterLines(worker);
            await worker.DisposeAsync();
            worker = await ApiHost.StartAsync(solution, running.Environment, solution.WorkerDll);
            var delivered = await WaitUntilEveryOrderHasAReceiptAsync(ledger, OrdersDuringOutage, worker);
            output.WriteLine($"broker back: {delivered.Receipts} receipts for {delivered.Orders} orders, {delivered.Unsent} unsent");

            // 3. A batch written while no worker runs; a worker killed with SIGKILL while it handles it; a new one finishes.
            deadLettered += DeadLetterLines(worker);
            await worker.DisposeAsync();
            worker = null;
            await PlaceOrdersAsync(api, OrdersInTheKilledBatch, "batch");
            var total = OrdersDuringOutage + OrdersInTheKilledBatch;
            worker = await ApiHost.StartAsync(solution, running.Environment, solution.WorkerDll);
            var atKill = await WaitUntilAsync(ledger, c => c.Receipts > OrdersDuringOutage, TimeSpan.FromSeconds(60), worker);
            await worker.DisposeAsync(); // Process.Kill: SIGKILL, no shutdown, no flush
            deadLettered += DeadLetterLines(worker);
            worker = null;
            output.WriteLine($"SIGKILL with {atKill.Receipts - OrdersDuringOutage} of {OrdersInTheKilledBatch} orders of the batch receipted");
            Assert.True(atKill.Receipts < total, $"The worker must be killed in the middle of the batch, but all {total} orders were receipted before the kill.");

            worker = await ApiHost.StartAsync(solution, running.Environment, solution.WorkerDll);
            var final = await WaitUntilEveryOrderHasAReceiptAsync(ledger, total, worker);
            output.WriteLine($"after restart: {final.Orders} orders, {final.Receipts} receipts, {final.ReceiptedOrders} orders with a receipt, {final.Unsent} unsent");
            Assert.Equal((total, total, total, 0L), (final.Orders, final.Receipts, final.ReceiptedOrders, final.Unsent));
            var handled = await ledger.CountHandledAsync();
            output.WriteLine($"inbox: {handled.Inbox} messages handled, {handled.Confirmed} orders confirmed");
            Assert.Equal((total, total), (handled.Inbox, handled.Confirmed));
            deadLettered += DeadLetterLines(worker);
            Assert.True(deadLettered == 0, $"No order's event may go to the dead letters; the workers logged {deadLettered}.");

            // The API answers an order with its receipt: what a client sees agrees with the rows.
            using var placed = await PlaceOrderAsync(api, "check-1");
            var id = Property(await AssertSuccessAsync(placed, HttpStatusCode.Created), "id").GetString();
            await WaitUntilEveryOrderHasAReceiptAsync(ledger, total + 1, worker);
            using var fetched = await api.GetAsync($"/api/orders/{id}", TestContext.Current.CancellationToken);
            var order = await AssertSuccessAsync(fetched, HttpStatusCode.OK);
            Assert.Equal("Confirmed", Property(order, "status").GetString(), ignoreCase: true);
        }
        catch (Exception)
        {
            output.WriteLine("API output:\n" + running.Host.Output);
            if (worker is not null)
            {
                output.WriteLine("Worker output:\n" + worker.Output);
            }

            throw;
        }
        finally
        {
            if (worker is not null)
            {
                await worker.DisposeAsync();
            }
        }
    }

    /// <summary>The consumer's dead-letter log lines (Warning: "... went to the dead letters ...") a worker printed.</summary>
    private static int DeadLetterLines(ApiHost worker) =>
        worker.FullOutput.Split('\n').Count(line => line.Contains("went to the dead letters", StringComparison.Ordinal));

    private static async Task PlaceOrdersAsync(HttpClient api, int count, string prefix)
    {
        // A few at a time: fast enough, and a failure names the order that failed.
        foreach (var chunk in Enumerable.Range(0, count).Chunk(8))
        {
            await Task.WhenAll(chunk.Select(async i =>
            {
                using var response = await PlaceOrderAsync(api, $"{prefix}-{i}");
                await AssertSuccessAsync(response, HttpStatusCode.Created);
            }));
        }
    }

    private static Task<HttpResponseMessage> PlaceOrderAsync(HttpClient api, string customer) =>
        api.PostAsJsonAsync("/api/orders", new { customerId = customer, sku = "SKU-1", quantity = 2, unitPrice = 4.5m });

    private static Task<(long Orders, long Receipts, long ReceiptedOrders, long Unsent)> WaitUntilEveryOrderHasAReceiptAsync(
        MessagingLedger ledger, int orders, ApiHost worker) =>
        WaitUntilAsync(ledger, c => c.Orders == orders && c.ReceiptedOrders == orders && c.Unsent == 0, DeliveryTimeout, worker);

    /// <summary>Polls the counts (every 20 ms, bounded) until <paramref name="done"/> holds; fails with the last counts.</summary>
    private static async Task<(long Orders, long Receipts, long ReceiptedOrders, long Unsent)> WaitUntilAsync(
        MessagingLedger ledger,
        Func<(long Orders, long Receipts, long ReceiptedOrders, long Unsent), bool> done,
        TimeSpan timeout,
        ApiHost worker)
    {
        var clock = Stopwatch.StartNew();
        var counts = await ledger.CountAsync();
        while (!done(counts))
        {
            Assert.True(clock.Elapsed < timeout, $"Still {counts} after {timeout.TotalSeconds:0} s.\nWorker output:\n{worker.Output}");
            await Task.Delay(20);
            counts = await ledger.CountAsync();
        }

        return counts;
    }
}
