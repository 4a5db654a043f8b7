using System.Text.RegularExpressions;
using Company.Starter.Testing;
using Microsoft.EntityFrameworkCore;

namespace Company.Starter.Messaging.Tests;

/// <summary>The broker goes away: orders keep being written, their events wait in the outbox, and none is lost.</summary>
public sealed class BrokerOutageTests(TestEnvironment environment, BrokerServer broker)
{
    [Fact]
    public async Task While_the_broker_is_unreachable_events_wait_in_the_outbox_and_all_are_delivered_when_it_returns()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var bed = await OrdersTestBed.CreateAsync(environment, broker);
        var before = await bed.PlaceOrdersAsync(20, cancellationToken);

        int failedAttempts;
        List<Guid> during;
        await using (var cutOff = bed.StartWorker(UnreachableBroker(bed.Settings)))
        {
            // The relay tries, fails, records why, and backs off; the rows stay unsent.
            await WaitForAsync(
                async () => await bed.QueryAsync(db => db.OutboxMessages.CountAsync(m => m.Attempts > 0 && m.LastError != null && m.SentAt == null)) == before.Count,
                TimeSpan.FromSeconds(60),
                "every row's publish tried and failed");

            // The API keeps accepting orders meanwhile: the broker is not on its path.
            during = await bed.PlaceOrdersAsync(20, cancellationToken);
            failedAttempts = await bed.QueryAsync(db => db.OutboxMessages.SumAsync(m => m.Attempts));
            var counts = await bed.CountAsync();
            Assert.Equal(before.Count + during.Count, counts.Unsent);
            Assert.Equal(0, counts.Receipts);
        }

        // The broker is back (a worker that can reach it): everything waiting is delivered, once.
        await using var worker = bed.StartWorker();
        var delivered = await bed.WaitUntilAsync(
            c => c.Receipts == before.Count + during.Count && c.Unsent == 0, TimeSpan.FromSeconds(60), "every waiting event delivered");

        Assert.Equal(before.Count + during.Count, delivered.OrdersWithReceipt);
        Assert.Equal(before.Count + during.Count, delivered.Inbox);
        Assert.Null(await bed.QueryAsync(db => db.OutboxMessages.Select(m => m.LastError).FirstOrDefaultAsync(e => e != null)));
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"orders before the outage {before.Count}, during it {during.Count}; failed publish attempts recorded {failedAttempts}; " +
            $"delivered after it {delivered.Receipts} receipts, unsent {delivered.Unsent}, lost {before.Count + during.Count - delivered.OrdersWithReceipt}");
    }

    /// <summary>
    /// The test's settings with the broker's address moved to a loopback port nobody listens on, whatever the broker:
    /// its connection string's port (<c>host:port</c>, <c>amqp://user:pass@host:port/</c>, <c>nats://host:port</c>) is
    /// replaced.
    /// </summary>
    private static Dictionary<string, string?> UnreachableBroker(IReadOnlyDictionary<string, string?> settings)
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var deadPort = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var brokerKeys = settings.Keys.Where(key => key.StartsWith("ConnectionStrings:", StringComparison.Ordinal) &&
            key is not "ConnectionStrings:appdb" and not "ConnectionStrings:redis").ToList();
        Assert.NotEmpty(brokerKeys);
        return brokerKeys.ToDictionary(key => key, key => (string?)Regex.Replace(settings[key]!, @"(?<=:)\d+(?=/|$|,)", deadPort.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Not within {timeout}: {what}.");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }
}
