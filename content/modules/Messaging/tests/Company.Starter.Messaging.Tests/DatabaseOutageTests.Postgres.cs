using Company.Starter.Messaging.Envelope;
using Company.Starter.Messaging.Transport;
using Company.Starter.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Company.Starter.Messaging.Tests;

// PostgreSQL only: the worker reaches the database over TCP, through a proxy the test cuts (SQLite is a local file).

/// <summary>
/// A database outage longer than the consumer's retry budget is a fault of the infrastructure, not of the messages:
/// none of them goes to the dead letters; the subscription restarts with its backoff until the database is back, and
/// every order then gets its receipt, once.
/// </summary>
public sealed class DatabaseOutageTests(TestEnvironment environment, BrokerServer broker)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_database_outage_longer_than_the_retry_budget_dead_letters_nothing_and_every_order_is_handled_once_it_is_back()
    {
        await using var bed = await OrdersTestBed.CreateAsync(environment, broker);
        var placed = await bed.PlaceOrdersAsync(5, TestContext.Current.CancellationToken);
        // The test publishes the events itself, while the database is cut: the relay must not have them before.
        var events = await bed.QueryAsync(db => db.OutboxMessages.OrderBy(m => m.Sequence).ToListAsync());
        await bed.QueryAsync(db => db.OutboxMessages.ExecuteUpdateAsync(set => set.SetProperty(m => m.SentAt, DateTimeOffset.UtcNow)));

        var database = new NpgsqlConnectionStringBuilder(bed.Settings["ConnectionStrings:appdb"]);
        await using var proxy = new TcpProxy(database.Host!, database.Port);
        database.Host = "127.0.0.1";
        database.Port = proxy.Port;
        await using var worker = bed.StartWorker(new Dictionary<string, string?>
        {
            ["ConnectionStrings:appdb"] = database.ConnectionString,
            ["Messaging:Consumer:MaxAttempts"] = "3",
        });
        using var metrics = new WorkerMetrics(worker.Services);
        var transport = worker.Services.GetRequiredService<IMessageTransport>();

        proxy.Cut();
        await transport.PublishAsync([.. events.Select(e => CloudEventEnvelope.ToTransportMessage(e, new Dictionary<string, string>()))], TestContext.Current.CancellationToken);
        // Two full retry budgets (2 retries each with MaxAttempts 3): the first ran out, the subscription restarted.
        await metrics.WaitUntilAsync(m => m.Retried >= 4, Patience, "the retry budget spent during the outage");
        Assert.Equal(0, metrics.DeadLettered);

        proxy.Restore();
        var counts = await bed.WaitUntilAsync(c => c.Receipts == placed.Count, Patience, "a receipt for every order once the database is back");

        Assert.Equal(0, metrics.DeadLettered);
        Assert.Equal(placed.Count, counts.OrdersWithReceipt);
        Assert.Equal(placed.Count, counts.Inbox);
        TestContext.Current.TestOutputHelper?.WriteLine($"retried {metrics.Retried}, dead-lettered {metrics.DeadLettered}, receipts {counts.Receipts}");
    }
}
