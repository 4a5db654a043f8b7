using Company.Starter.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Company.Starter.Messaging.Tests;

// RabbitMQ and NATS only: Kafka's test broker (librdkafka's mock cluster) advertises its own broker addresses, so a
// proxy in front of it would cover the bootstrap connection alone, not the partition leaders' (module.json excludes it).

/// <summary>
/// The network between a RUNNING worker and the broker goes down and comes back: the same worker, without a restart,
/// reconnects through the same address; its relay publishes what waited in the outbox and its subscription resumes, so
/// every event is delivered once.
/// </summary>
public sealed class BrokerReconnectTests(TestEnvironment environment, BrokerServer broker)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_running_worker_reconnects_when_the_broker_returns_and_delivers_every_event_that_waited_once()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var bed = await OrdersTestBed.CreateAsync(environment, broker);
        var (key, address) = BrokerAddress(bed.Settings);
        await using var proxy = new TcpProxy(address.Host, address.Port);
        await using var worker = bed.StartWorker(new Dictionary<string, string?>
        {
            [key] = new UriBuilder(address) { Host = "127.0.0.1", Port = proxy.Port }.Uri.ToString(),
            // A publish that cannot reach the broker counts as failed after 2 s instead of 30 (the key of the broker
            // the solution does not use binds nothing).
            ["Messaging:RabbitMq:PublishTimeout"] = "00:00:02",
            ["Messaging:Nats:PublishTimeout"] = "00:00:02",
        });
        using var metrics = new WorkerMetrics(worker.Services);

        var before = await bed.PlaceOrdersAsync(10, cancellationToken);
        await bed.WaitUntilAsync(c => c.Receipts == before.Count && c.Unsent == 0, Patience, "the orders placed before the outage delivered");
        Assert.True(proxy.AcceptedConnections > 0, "The worker did not reach the broker through the proxy.");

        proxy.Cut();
        var during = await bed.PlaceOrdersAsync(10, cancellationToken);
        // The relay tries, fails, records why and backs off; the events stay in the outbox, none reaches a consumer.
        await WaitForAsync(
            async () => await bed.QueryAsync(db => db.OutboxMessages.CountAsync(m => m.SentAt == null && m.Attempts > 0 && m.LastError != null)) == during.Count,
            "every event placed during the outage tried and failed");
        var waiting = await bed.CountAsync();
        Assert.Equal(during.Count, waiting.Unsent);
        Assert.Equal(before.Count, waiting.Receipts);
        AssertAlive(worker.Services);
        var acceptedBeforeRestore = proxy.AcceptedConnections;

        proxy.Restore();
        var delivered = await bed.WaitUntilAsync(
            c => c.Receipts == before.Count + during.Count && c.Unsent == 0,
            Patience,
            "every event that waited delivered by the same worker",
            () => $"; proxy connections {proxy.AcceptedConnections} ({acceptedBeforeRestore} before the restore)");

        Assert.True(proxy.AcceptedConnections > acceptedBeforeRestore, "The worker delivered without reconnecting through the proxy.");
        Assert.Equal(before.Count + during.Count, delivered.Orders);
        Assert.Equal(before.Count + during.Count, delivered.OrdersWithReceipt);
        Assert.Equal(before.Count + during.Count, delivered.Inbox);
        Assert.Equal(0, metrics.DeadLettered);
        AssertAlive(worker.Services);
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"orders before the outage {before.Count}, during it {during.Count}; delivered {delivered.Receipts} receipts, inbox {delivered.Inbox}, " +
            $"unsent {delivered.Unsent}; proxy connections {acceptedBeforeRestore} before the restore, {proxy.AcceptedConnections} after");
    }

    /// <summary>The broker's connection string key and its URI (<c>amqp://user:pass@host:port/</c>, <c>nats://host:port</c>).</summary>
    private static (string Key, Uri Address) BrokerAddress(IReadOnlyDictionary<string, string?> settings)
    {
        var key = Assert.Single(settings.Keys, key => key.StartsWith("ConnectionStrings:", StringComparison.Ordinal) &&
            key is not "ConnectionStrings:appdb" and not "ConnectionStrings:redis");
        var value = settings[key]!;
        Assert.DoesNotContain(',', value); // one server: the proxy stands in front of it
        return (key, new Uri(value));
    }

    /// <summary>The worker is still running: not stopping, and its relay and consumers have not ended.</summary>
    private static void AssertAlive(IServiceProvider services)
    {
        Assert.False(services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.IsCancellationRequested, "The worker is stopping.");
        var backgroundServices = services.GetServices<IHostedService>().OfType<BackgroundService>().ToList();
        Assert.NotEmpty(backgroundServices);
        Assert.All(backgroundServices, service => Assert.False(service.ExecuteTask?.IsCompleted ?? true, $"{service.GetType().Name} has ended."));
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Not within {Patience}: {what}.");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }
}
