using Company.Starter.Testing;
using Microsoft.EntityFrameworkCore;

namespace Company.Starter.Messaging.Tests;

// PostgreSQL only (the file is left out of a SQLite solution, where one process owns the database).

/// <summary>
/// Two worker replicas on one database: one relay publishes (it holds the advisory lock), the other stands by and takes
/// over when the first goes away, so the events of a key are never published by two relays at once.
/// </summary>
public sealed class RelayLeaseTests(TestEnvironment environment, BrokerServer broker)
{
    [Fact]
    public async Task One_of_two_replicas_holds_the_relay_lease_and_the_other_takes_over_when_it_stops()
    {
        await using var bed = await OrdersTestBed.CreateAsync(environment, broker);
        var one = bed.StartWorker();
        var other = bed.StartWorker();
        using var oneMetrics = new WorkerMetrics(one.Services);
        using var otherMetrics = new WorkerMetrics(other.Services);
        try
        {
            await bed.PlaceOrdersAsync(10, TestContext.Current.CancellationToken);
            await bed.WaitUntilAsync(c => c.Receipts == 10 && c.Unsent == 0, TimeSpan.FromSeconds(60), "the first orders handled");

            Assert.Equal(1, await AdvisoryLocksAsync(bed));
            Assert.Equal(10, oneMetrics.Published + otherMetrics.Published);
            Assert.True(oneMetrics.Published == 0 || otherMetrics.Published == 0, "Both replicas published.");

            // The active relay's replica stops: the standby takes the lease over and publishes what comes next.
            var (active, standby, standbyMetrics) = oneMetrics.Published > 0 ? (one, other, otherMetrics) : (other, one, oneMetrics);
            await active.DisposeAsync();
            await bed.PlaceOrdersAsync(10, TestContext.Current.CancellationToken);
            var counts = await bed.WaitUntilAsync(c => c.Receipts == 20 && c.Unsent == 0, TimeSpan.FromSeconds(60), "the orders after the active replica stopped handled");

            Assert.Equal(10, standbyMetrics.Published);
            Assert.Equal(20, counts.OrdersWithReceipt);
            Assert.Equal(1, await AdvisoryLocksAsync(bed));
        }
        finally
        {
            await one.DisposeAsync();
            await other.DisposeAsync();
        }
    }

    /// <summary>The advisory locks granted in the test's database: the relay lease is the only one the app takes.</summary>
    private static Task<int> AdvisoryLocksAsync(OrdersTestBed bed) => bed.QueryAsync(db => db.Database
        .SqlQueryRaw<int>("SELECT count(*)::int AS \"Value\" FROM pg_locks WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())")
        .SingleAsync());
}
