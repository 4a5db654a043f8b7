// The messaging benchmark: what the outbox costs, in figures (it asserts nothing).
//
// In one run, against the broker and the database the worker would use, it measures side by side:
//   raw     IMessageTransport.PublishAsync in batches and SubscribeAsync on a fresh destination, nothing else: the
//           broker's and the transport's own throughput, from the first publish to the last message consumed, and the
//           latency of each message (its publish time travels in a header; the subscriber reads the clock).
//   raw + receipt  the same, with a subscriber that writes the consumer's receipt row (one INSERT, no inbox, no
//           transaction of its own): what a starter without outbox and inbox would do, so that the difference to the
//           outbox path is the price of the guarantees, not of having a database at all.
//   outbox  orders placed through OrderService by a few concurrent writers (each order and its event in one
//           transaction), with the worker's own pipeline running in this process (AddData + AddMessagingWorker: the
//           relay publishing the outbox, the consumer writing inbox row and receipt in one transaction) on a fresh
//           destination and consumer group: events/s until every order has its receipt, and the latency of each from
//           order created to receipt issued (both stamped by this process's clock, read from the database).
//   ratio   outbox / raw throughput, and outbox / raw + receipt.
//   paced   orders at a steady rate (--rate, default 1,000/s, for --seconds) through the same outbox pipeline: the
//           latency at that rate, which is what a user of the API sees, rather than at saturation.
//   backlog the relay and the consumer alone: orders written while no worker runs, then a worker started on them;
//           events/s from the first receipt to the last. The outbox path above is bounded by how fast the writers
//           commit orders (one transaction each, printed as "orders written at"); this one is not, and raw has no
//           database at all, so backlog / raw is what the outbox machinery costs against the bare broker.
//
//   dotnet run -c Release --project bench/Company.Starter.Messaging.Benchmarks
//   dotnet run -c Release --project bench/Company.Starter.Messaging.Benchmarks -- --events 20000 --rate 2000 --seconds 10
//
// Options: --events N (raw and outbox, default 5000), --rate N and --seconds N (the paced run, default 1000 and 5),
// --writers N (concurrent order writers, default 16: one transaction each, as
// concurrent API requests write them), --batch N (raw publish batch, default the relay's BatchSize),
// --timeout N (seconds each phase may take at most, default 60), --keep-database (keep the bench database for a look).
// Configuration is the worker's: appsettings.json here (the local defaults), then environment variables, then
// arguments: ConnectionStrings__appdb, ConnectionStrings__<broker>, Messaging__Relay__BatchSize ...
// (or --ConnectionStrings:appdb=...). The bench never touches the configured database's tables: it creates a database
// of its own next to it (PostgreSQL: <name>_bench_<id>, which needs a role allowed to create databases; SQLite: a file
// in the temp folder), migrates it the way the app does (MigrateDatabaseAsync), and drops it at the end. Its
// destinations and consumer groups are new each run (bench-raw-<id>, bench-outbox-<id>): the broker keeps them (empty)
// afterwards; delete them with the broker's tools if they bother you.
#if (UseKafka)
//
// ConnectionStrings:kafka=mock starts librdkafka's mock cluster in this process (one broker speaking the real protocol on
// a loopback port): handy without a Kafka, but its figures are an in-process broker's, not a cluster's.
#endif
//
// Run it on an otherwise idle machine, more than once: on a small shared one the figures move by tens of percent.
using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Company.Starter.Data;
using Company.Starter.Messaging.Benchmarks;
using Company.Starter.Messaging.Orders;
using Company.Starter.Messaging.Outbox;
using Company.Starter.Messaging.Transport;
#if (UseKafka)
using Confluent.Kafka;
#endif
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
#if (UsePostgres)
using Npgsql;
#else
using Microsoft.Data.Sqlite;
#endif

if (!BenchArguments.TryParse(args, out var bench, out var configurationArgs, out var usage))
{
    Console.Error.WriteLine(usage);
    return args.Contains("--help") ? 0 : 2;
}

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};

var configuration = new ConfigurationBuilder()
    .SetBasePath(AppContext.BaseDirectory)
    .AddJsonFile("appsettings.json", optional: true)
    .AddEnvironmentVariables()
    .AddCommandLine(configurationArgs)
    .Build();

var runId = Guid.NewGuid().ToString("N")[..8];
var overrides = new Dictionary<string, string?>
{
    ["ConnectionStrings:appdb"] = BenchDatabase.ConnectionString(configuration.GetConnectionString("appdb"), runId),
    // Notifications (where the solution has them) go to a stream of the bench's, capped like any other.
    ["Messaging:Notifications:StreamKey"] = "bench-notifications",
};
#if (UseKafka)
using var mockCluster = MockKafkaCluster.StartIfAsked(configuration, overrides);
#endif

var report = new BenchReport();
try
{
    // The database first, migrated exactly as the app's migrate step does it.
    using (var setup = BenchHost.Build(configuration, overrides, "bench-setup", "bench-setup"))
    {
        Progress($"Migrating the bench database ({BenchDatabase.Describe(overrides["ConnectionStrings:appdb"]!)})");
        await setup.Services.MigrateDatabaseAsync(stop.Token);
        report.Broker = setup.Services.GetRequiredService<IMessageTransport>().System;
        report.BatchSize = bench.Batch ?? setup.Services.GetRequiredService<IOptions<RelayOptions>>().Value.BatchSize;
    }

    Progress($"raw: {bench.Events} events through IMessageTransport on {report.Broker}, batches of {report.BatchSize}");
    report.Raw = await RawPath.RunAsync(configuration, overrides, $"bench-raw-{runId}", bench.Events, report.BatchSize, writeReceipt: false, bench.Timeout, stop.Token);

    Progress($"raw + receipt: the same, the subscriber writing a receipt row per message");
    report.RawWithReceipt = await RawPath.RunAsync(configuration, overrides, $"bench-rawfx-{runId}", bench.Events, report.BatchSize, writeReceipt: true, bench.Timeout, stop.Token);

    Progress($"outbox: {bench.Events} orders from {bench.Writers} writers through the outbox, relay and consumer");
    using (var worker = BenchHost.Build(configuration, overrides, $"bench-outbox-{runId}", $"bench-outbox-{runId}"))
    {
        await worker.StartAsync(stop.Token);
        try
        {
            await OutboxPath.WarmUpAsync(worker.Services, bench.Timeout, stop.Token);
            report.Outbox = await OutboxPath.RunAsync(worker.Services, $"bench-{runId}-saturated", bench.Events, bench.Writers, rate: null, bench.Timeout, stop.Token);

            Progress($"paced: {bench.Rate} orders/s for {bench.Seconds} s through the same pipeline");
            report.PacedRate = bench.Rate;
            report.Paced = await OutboxPath.RunAsync(worker.Services, $"bench-{runId}-paced", bench.Rate * bench.Seconds, bench.Writers, bench.Rate, bench.Timeout, stop.Token);
        }
        finally
        {
            await worker.StopAsync(CancellationToken.None);
        }
    }

    // The machinery alone: the orders are in the outbox before a worker starts, so the writers' commit rate is out of the
    // figure, and the events/s are from the first receipt to the last (the worker's start and its joining the broker's
    // consumer group are out of it too).
    Progress($"backlog: {bench.Events} orders written while no worker runs, then drained by a worker started on them");
    var backlogCustomer = $"bench-{runId}-backlog";
    using (var writer = BenchHost.Build(configuration, overrides, $"bench-outbox-{runId}", $"bench-outbox-{runId}"))
    {
        // Never started: its relay and consumer do not run, its services write the orders.
        await OutboxPath.WriteAsync(writer.Services, backlogCustomer, bench.Events, bench.Writers, rate: null, bench.Timeout, stop.Token);
    }

    using (var drainer = BenchHost.Build(configuration, overrides, $"bench-outbox-{runId}", $"bench-outbox-{runId}"))
    {
        await drainer.StartAsync(stop.Token);
        try
        {
            report.Backlog = await OutboxPath.DrainAsync(drainer.Services, backlogCustomer, bench.Events, bench.Timeout, stop.Token);
        }
        finally
        {
            await drainer.StopAsync(CancellationToken.None);
        }
    }
}
catch (Exception exception) when (!stop.IsCancellationRequested)
{
    // What was measured before the failure is still printed, with the failure, so that a script sees both.
    report.Failure = $"{exception.GetType().Name}: {exception.Message.ReplaceLineEndings(" ")}";
    Console.Error.WriteLine(exception);
}
finally
{
    if (!bench.KeepDatabase)
    {
        await BenchDatabase.DropAsync(configuration, overrides);
    }
}

report.Print(Console.Out);
#if (UseKafka)
if (mockCluster is not null)
{
    Console.WriteLine("Kafka here is librdkafka's mock cluster (an in-process broker): its absolute figures are not a real cluster's.");
}
#endif
return report.Complete ? 0 : 1;

static void Progress(string message) => Console.Error.WriteLine($"== {message}");

namespace Company.Starter.Messaging.Benchmarks
{
    /// <summary>The bench's own arguments; everything else is configuration (<c>--ConnectionStrings:appdb=...</c>).</summary>
    internal sealed record BenchArguments(int Events, int Rate, int Seconds, int Writers, int? Batch, TimeSpan Timeout, bool KeepDatabase)
    {
        private const string Usage = """
            usage: Company.Starter.Messaging.Benchmarks [--events N] [--rate N] [--seconds N] [--writers N] [--batch N]
                   [--timeout SECONDS] [--keep-database] [--ConnectionStrings:appdb=...] [--ConnectionStrings:<broker>=...]
            """;

        public static bool TryParse(string[] args, out BenchArguments bench, out string[] configuration, out string usage)
        {
            bench = new BenchArguments(Events: 5000, Rate: 1000, Seconds: 5, Writers: 16, Batch: null, Timeout: TimeSpan.FromSeconds(60), KeepDatabase: false);
            usage = Usage;
            var rest = new List<string>();
            for (var i = 0; i < args.Length; i++)
            {
                var name = args[i];
                if (name is "--help" or "-h")
                {
                    configuration = [];
                    return false;
                }

                if (name == "--keep-database")
                {
                    bench = bench with { KeepDatabase = true };
                    continue;
                }

                if (name is not ("--events" or "--rate" or "--seconds" or "--writers" or "--batch" or "--timeout"))
                {
                    rest.Add(name);
                    continue;
                }

                // Bounded, so that a typo cannot start a run of hours.
                if (i + 1 >= args.Length || !int.TryParse(args[++i], NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value is < 1 or > 10_000_000)
                {
                    usage = $"{name} takes a whole number between 1 and 10000000.\n{Usage}";
                    configuration = [];
                    return false;
                }

                bench = name switch
                {
                    "--events" => bench with { Events = value },
                    "--rate" => bench with { Rate = value },
                    "--seconds" => bench with { Seconds = value },
                    "--writers" => bench with { Writers = Math.Min(value, 64) },
                    "--batch" => bench with { Batch = Math.Min(value, 5000) },
                    _ => bench with { Timeout = TimeSpan.FromSeconds(value) },
                };
            }

            configuration = [.. rest];
            return true;
        }
    }

    /// <summary>A worker's services, as the worker composes them (AddData + AddMessagingWorker), on the bench's destination.</summary>
    internal static class BenchHost
    {
        public static IHost Build(IConfiguration configuration, Dictionary<string, string?> overrides, string destination, string consumerGroup)
        {
            var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = Environments.Production });
            builder.Configuration.AddConfiguration(configuration);
            builder.Configuration.AddInMemoryCollection(overrides);
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Messaging:OrdersDestination"] = destination,
                ["Messaging:ConsumerGroup"] = consumerGroup,
            });

            // Warnings and errors only: a log line per order would measure the console.
            builder.Logging.AddSimpleConsole(console => console.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
            builder.Services.AddMetrics();
            builder.AddData();
            builder.AddMessagingWorker();
            return builder.Build();
        }
    }

    /// <summary>The database of one run: next to the configured one, created by the migrate step, dropped at the end.</summary>
    internal static class BenchDatabase
    {
        public static string ConnectionString(string? configured, string runId)
        {
            if (string.IsNullOrWhiteSpace(configured))
            {
                throw new InvalidOperationException("Set ConnectionStrings:appdb (the database server the bench may create its database on).");
            }

#if (UsePostgres)
            var connection = new NpgsqlConnectionStringBuilder(configured);
            var name = string.IsNullOrEmpty(connection.Database) ? "company_starter" : connection.Database;
            connection.Database = $"{name[..Math.Min(name.Length, 40)]}_bench_{runId}";
            // The writers, the relay (its lease holds one), the consumer and the polling of receipts, with room to spare.
            connection.MaxPoolSize = Math.Max(connection.MaxPoolSize, 100);
            return connection.ConnectionString;
#else
            var connection = new SqliteConnectionStringBuilder(configured)
            {
                DataSource = Path.Combine(Path.GetTempPath(), $"company_starter-bench-{runId}.db"),
            };
            return connection.ConnectionString;
#endif
        }

        public static string Describe(string connectionString)
        {
#if (UsePostgres)
            var connection = new NpgsqlConnectionStringBuilder(connectionString);
            return $"PostgreSQL database {connection.Database} on {connection.Host}:{connection.Port}";
#else
            return $"SQLite file {new SqliteConnectionStringBuilder(connectionString).DataSource}";
#endif
        }

        public static async Task DropAsync(IConfiguration configuration, Dictionary<string, string?> overrides)
        {
            using var host = BenchHost.Build(configuration, overrides, "bench-setup", "bench-setup");
            await using var scope = host.Services.CreateAsyncScope();
            try
            {
                await scope.ServiceProvider.GetRequiredService<MessagingDbContext>().Database.EnsureDeletedAsync();
            }
            catch (Exception exception) when (exception is DbException or InvalidOperationException)
            {
                // Not a reason to lose the figures: say what is left behind.
                Console.Error.WriteLine($"Could not drop the bench database ({Describe(overrides["ConnectionStrings:appdb"]!)}): {exception.Message}");
            }
        }
    }

    /// <summary>What the broker and transport do alone: batches published, a subscriber that only counts and reads the clock.</summary>
    internal static class RawPath
    {
        private const string SequenceHeader = "bench-sequence";
        private const string PublishedHeader = "bench-published";

        /// <summary>About the size of an OrderPlaced's data, so that both paths carry similar bodies.</summary>
        private static readonly byte[] Body = Encoding.UTF8.GetBytes(
            """{"orderId":"0192f3a4-5b6c-7d8e-9f01-23456789abcd","customerId":"bench","sku":"BENCH-1","quantity":1,"amount":9.99,"placedAt":"2026-01-01T00:00:00+00:00"}""");

        public static async Task<PathResult> RunAsync(
            IConfiguration configuration,
            Dictionary<string, string?> overrides,
            string destination,
            int count,
            int batchSize,
            bool writeReceipt,
            TimeSpan timeout,
            CancellationToken cancellationToken)
        {
            using var host = BenchHost.Build(configuration, overrides, destination, destination);
            var transport = host.Services.GetRequiredService<IMessageTransport>();

            var latencies = new double[count];
            var seen = new int[count];
            var received = 0;
            var duplicates = 0;
            long lastReceived = 0;
            var warmedUp = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var allReceived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

            async Task HandleWithReceipt(ReceivedMessage message, CancellationToken token)
            {
                await using (var scope = host.Services.CreateAsyncScope())
                {
                    var db = scope.ServiceProvider.GetRequiredService<MessagingDbContext>();
                    db.Receipts.Add(new Receipt { OrderId = Guid.CreateVersion7(), Amount = 9.99m, IssuedAt = DateTimeOffset.UtcNow, MessageId = Guid.Parse(message.Message.MessageId) });
                    await db.SaveChangesAsync(token);
                }

                await Handle(message, token);
            }

            Task Handle(ReceivedMessage message, CancellationToken _)
            {
                var now = Stopwatch.GetTimestamp();
                var headers = message.Message.Headers;
                var sequence = int.Parse(headers[SequenceHeader], CultureInfo.InvariantCulture);
                if (sequence < 0)
                {
                    warmedUp.TrySetResult();
                }
                else if (Interlocked.Exchange(ref seen[sequence], 1) == 1)
                {
                    Interlocked.Increment(ref duplicates);
                }
                else
                {
                    latencies[sequence] = Stopwatch.GetElapsedTime(long.Parse(headers[PublishedHeader], CultureInfo.InvariantCulture), now).TotalMilliseconds;
                    Volatile.Write(ref lastReceived, now);
                    if (Interlocked.Increment(ref received) == count)
                    {
                        allReceived.TrySetResult();
                    }
                }

                return Task.CompletedTask;
            }

            using var subscription = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var subscribing = transport.SubscribeAsync(destination, destination, writeReceipt ? HandleWithReceipt : Handle, subscription.Token);
            // A subscription that fails (the broker refused it) ends the wait at once, with its exception.
            var failed = subscribing.ContinueWith(
                task =>
                {
                    if (task.Exception is { } exception)
                    {
                        allReceived.TrySetException(exception.InnerExceptions);
                    }
                },
                CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

            try
            {
                // One message first, consumed before the clock starts: the subscription has joined its group (Kafka's join
                // takes seconds), the destination exists, the code paths are compiled.
                await PublishAsync(transport, [Message(destination, -1, Stopwatch.GetTimestamp())], cancellationToken);
                await Task.WhenAny(warmedUp.Task, allReceived.Task).WaitAsync(timeout, cancellationToken);
                await (allReceived.Task.IsFaulted ? allReceived.Task : Task.CompletedTask);

                var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
                var started = Stopwatch.GetTimestamp();
                var published = 0;
                while (published < count && Stopwatch.GetTimestamp() < deadline)
                {
                    var now = Stopwatch.GetTimestamp();
                    var batch = new List<TransportMessage>(Math.Min(batchSize, count - published));
                    for (var i = published; i < published + batch.Capacity; i++)
                    {
                        batch.Add(Message(destination, i, now));
                    }

                    await PublishAsync(transport, batch, cancellationToken);
                    published += batch.Count;
                }

                var remaining = TimeSpan.FromSeconds(Math.Max(0, (deadline - Stopwatch.GetTimestamp()) / (double)Stopwatch.Frequency));
                await Task.WhenAny(allReceived.Task, Task.Delay(remaining, cancellationToken));
                await (allReceived.Task.IsFaulted ? allReceived.Task : Task.CompletedTask);

                var done = Volatile.Read(ref received);
                var elapsed = done == 0 ? TimeSpan.Zero : Stopwatch.GetElapsedTime(started, Volatile.Read(ref lastReceived));
                return PathResult.From(count, latencies.Where((_, i) => seen[i] == 1), elapsed, duplicates);
            }
            finally
            {
                await subscription.CancelAsync();
                try
                {
                    await subscribing;
                }
                catch (OperationCanceledException)
                {
                    // The end of the subscription we asked for.
                }

                await failed;
            }
        }

        /// <summary>
        /// Publishes a batch as the relay does: a batch the broker refused (RabbitMQ nacks a publish to a quorum queue
        /// that is still electing its leader, just after it was declared) is published again, a few times at most. What
        /// arrives twice is counted as a duplicate.
        /// </summary>
        private static async Task PublishAsync(IMessageTransport transport, IReadOnlyList<TransportMessage> batch, CancellationToken cancellationToken)
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await transport.PublishAsync(batch, cancellationToken);
                    return;
                }
                catch (Exception exception) when (attempt < 5 && !cancellationToken.IsCancellationRequested)
                {
                    Console.Error.WriteLine($"== the broker refused a batch of {batch.Count} ({exception.Message}); publishing it again, as the relay would");
                    await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt), cancellationToken);
                }
            }
        }

        private static TransportMessage Message(string destination, int sequence, long publishedAt)
        {
            var id = Guid.CreateVersion7().ToString();
            return new TransportMessage(destination, id, id, Body, new Dictionary<string, string>(StringComparer.Ordinal)
            {
                [SequenceHeader] = sequence.ToString(CultureInfo.InvariantCulture),
                [PublishedHeader] = publishedAt.ToString(CultureInfo.InvariantCulture),
            });
        }
    }

    /// <summary>
    /// Orders through OrderService while the worker's relay and consumer run: done when every order has its receipt.
    /// Each run's orders have a customer of their own, which is how its receipts are told from the others'.
    /// </summary>
    internal static class OutboxPath
    {
        private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);

        /// <summary>One order, and its receipt, before the clock starts: the consumer has joined, the code is compiled.</summary>
        public static async Task WarmUpAsync(IServiceProvider services, TimeSpan timeout, CancellationToken cancellationToken)
        {
            var warmUp = await RunAsync(services, "bench-warm-up", 1, 1, rate: null, timeout, cancellationToken);
            if (!warmUp.Complete)
            {
                // Nothing will get through: measuring on would only print zeros. The worker's warnings above say why.
                throw new InvalidOperationException($"The warm-up order got no receipt within {timeout.TotalSeconds:0} s: the relay or the consumer is not working (see the warnings above).");
            }
        }

        public static async Task<PathResult> RunAsync(
            IServiceProvider services, string customer, int count, int writers, int? rate, TimeSpan timeout, CancellationToken cancellationToken)
        {
            var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
            var started = DateTimeOffset.UtcNow;
            var (placed, writeRate) = await WriteAsync(services, customer, count, writers, rate, timeout, cancellationToken);

            var rows = await WaitForReceiptsAsync(services, customer, placed, deadline, cancellationToken);
            var elapsed = rows.Count == 0 ? TimeSpan.Zero : rows.Max(row => row.IssuedAt) - started;
            var result = PathResult.From(count, rows.Select(row => (row.IssuedAt - row.CreatedAt).TotalMilliseconds), elapsed, duplicates: 0);
            result.WriteRate = writeRate;
            return result;
        }

        /// <summary>
        /// The receipts of orders already in the outbox when the worker started: events/s from the first receipt to the
        /// last. Their latency is how long each waited for the worker, so it is not printed.
        /// </summary>
        public static async Task<PathResult> DrainAsync(IServiceProvider services, string customer, int count, TimeSpan timeout, CancellationToken cancellationToken)
        {
            var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
            var rows = await WaitForReceiptsAsync(services, customer, count, deadline, cancellationToken);
            var elapsed = rows.Count < 2 ? TimeSpan.Zero : rows.Max(row => row.IssuedAt) - rows.Min(row => row.IssuedAt);
            return PathResult.From(count, rows.Select(_ => double.NaN), elapsed, duplicates: 0);
        }

        /// <summary>Places <paramref name="count"/> orders through OrderService from concurrent writers; returns how many and at what rate.</summary>
        public static async Task<(int Placed, double PerSecond)> WriteAsync(
            IServiceProvider services, string customer, int count, int writers, int? rate, TimeSpan timeout, CancellationToken cancellationToken)
        {
            var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
            var clock = Stopwatch.StartNew();
            var next = -1;
            var placed = 0;

            async Task WriteOrdersAsync()
            {
                int index;
                while ((index = Interlocked.Increment(ref next)) < count && Stopwatch.GetTimestamp() < deadline)
                {
                    if (rate is { } perSecond)
                    {
                        // The order's slot in the schedule; a writer running late does not wait (nor skip: it catches up).
                        var wait = TimeSpan.FromSeconds(index / (double)perSecond) - clock.Elapsed;
                        if (wait > TimeSpan.Zero)
                        {
                            await Task.Delay(wait, cancellationToken);
                        }
                    }

                    await using var scope = services.CreateAsyncScope();
                    await scope.ServiceProvider.GetRequiredService<OrderService>()
                        .PlaceAsync(new OrderInput(customer, "BENCH-1", 1, 9.99m), cancellationToken);
                    Interlocked.Increment(ref placed);
                }
            }

            await Task.WhenAll(Enumerable.Range(0, Math.Min(writers, count)).Select(_ => Task.Run(WriteOrdersAsync, cancellationToken)));
            return (placed, placed / clock.Elapsed.TotalSeconds);
        }

        /// <summary>Waits until <paramref name="expected"/> of the customer's orders have a receipt (or the deadline), then reads their times.</summary>
        private static async Task<List<(DateTimeOffset CreatedAt, DateTimeOffset IssuedAt)>> WaitForReceiptsAsync(
            IServiceProvider services, string customer, int expected, long deadline, CancellationToken cancellationToken)
        {
            // Receipts are counted in the database: that the consumer committed them is the point.
            while (await CountReceiptsAsync(services, customer, cancellationToken) < expected && Stopwatch.GetTimestamp() < deadline)
            {
                await Task.Delay(PollInterval, cancellationToken);
            }

            await using var read = services.CreateAsyncScope();
            var db = read.ServiceProvider.GetRequiredService<MessagingDbContext>();
            var rows = await db.Orders.AsNoTracking()
                .Where(order => order.CustomerId == customer)
                .Join(db.Receipts, order => order.Id, receipt => receipt.OrderId, (order, receipt) => new { order.CreatedAt, receipt.IssuedAt })
                .ToListAsync(cancellationToken);
            return [.. rows.Select(row => (row.CreatedAt, row.IssuedAt))];
        }

        private static async Task<int> CountReceiptsAsync(IServiceProvider services, string customer, CancellationToken cancellationToken)
        {
            await using var scope = services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<MessagingDbContext>();
            return await db.Orders.Where(order => order.CustomerId == customer)
                .Join(db.Receipts, order => order.Id, receipt => receipt.OrderId, (order, _) => order.Id)
                .CountAsync(cancellationToken);
        }
    }

#if (UseKafka)
    /// <summary>librdkafka's mock cluster, when ConnectionStrings:kafka says <c>mock</c>; it lives as long as its owner.</summary>
    internal static class MockKafkaCluster
    {
        public static IDisposable? StartIfAsked(IConfiguration configuration, Dictionary<string, string?> overrides)
        {
            if (!string.Equals(configuration.GetConnectionString("kafka"), "mock", StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }

            var config = new ProducerConfig { BootstrapServers = "mock" };
            config.Set("test.mock.num.brokers", "1");
            var owner = new ProducerBuilder<Null, Null>(config).Build();
            using var admin = new DependentAdminClientBuilder(owner.Handle).Build();
            var broker = admin.GetMetadata(TimeSpan.FromSeconds(10)).Brokers.Single();
            overrides["ConnectionStrings:kafka"] = $"{broker.Host}:{broker.Port}";
            // The mock cluster creates topics on first use and never answers CreateTopics.
            overrides["Messaging:Kafka:CreateTopics"] = "false";
            // A real broker answers a consumer's fetch as soon as data arrives; the mock holds an empty fetch for the whole
            // fetch.wait.max.ms (500 ms by default) even when data arrives meanwhile, which would put up to half a second
            // of the mock's own into every latency. A short wait makes it poll instead, closer to a broker's behaviour.
            // (librdkafka warns once that the producer ignores this consumer property: Client goes to every client.)
            overrides["Messaging:Kafka:Client:fetch.wait.max.ms"] = "5";
            return owner;
        }
    }

#endif
    /// <summary>One path's figures.</summary>
    internal sealed class PathResult
    {
        public int Expected { get; private init; }

        public int Delivered { get; private init; }

        public int Duplicates { get; private init; }

        public double EventsPerSecond { get; private init; }

        public double P50 { get; private init; }

        public double P99 { get; private init; }

        public double Max { get; private init; }

        /// <summary>How fast the writers placed orders (the outbox paths): whether the paced run kept its rate.</summary>
        public double? WriteRate { get; set; }

        public bool Complete => Delivered == Expected;

        public static PathResult From(int expected, IEnumerable<double> latenciesMs, TimeSpan elapsed, int duplicates)
        {
            var sorted = latenciesMs.Order().ToArray();
            return new PathResult
            {
                Expected = expected,
                Delivered = sorted.Length,
                Duplicates = duplicates,
                EventsPerSecond = elapsed > TimeSpan.Zero ? sorted.Length / elapsed.TotalSeconds : 0,
                P50 = Percentile(sorted, 50),
                P99 = Percentile(sorted, 99),
                Max = sorted.Length > 0 ? sorted[^1] : double.NaN,
            };
        }

        /// <summary>Nearest rank: the smallest value with at least p% of the values at or below it.</summary>
        private static double Percentile(double[] sorted, double p) =>
            sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];
    }

    /// <summary>The figures of a run, for people (a table) and for scripts (one <c>bench-result</c> line of key=value).</summary>
    internal sealed class BenchReport
    {
        public string Broker { get; set; } = "?";

        public int BatchSize { get; set; }

        public int PacedRate { get; set; }

        public PathResult? Raw { get; set; }

        public PathResult? RawWithReceipt { get; set; }

        public PathResult? Outbox { get; set; }

        public PathResult? Paced { get; set; }

        /// <summary>The outbox's relay and consumer alone, on orders written before the worker started.</summary>
        public PathResult? Backlog { get; set; }

        /// <summary>Why the run stopped early, if it did.</summary>
        public string? Failure { get; set; }

        public bool Complete => Failure is null && Raw is { Complete: true } && RawWithReceipt is { Complete: true } && Outbox is { Complete: true } && Paced is { Complete: true } && Backlog is { Complete: true };

        public void Print(TextWriter output)
        {
            var ratio = Ratio(Outbox, Raw);
            var ratioToReceipt = Ratio(Outbox, RawWithReceipt);
            output.WriteLine();
            output.WriteLine(Invariant($"{"path (" + Broker + ")",-26} {"events",13} {"events/s",10} {"p50 ms",8} {"p99 ms",8} {"max ms",8}"));
            Row(output, $"raw (batches of {BatchSize})", Raw);
            Row(output, "raw + receipt", RawWithReceipt);
            Row(output, "outbox", Outbox);
            Row(output, $"outbox paced {PacedRate}/s", Paced);
            Row(output, "outbox backlog drained", Backlog);
            output.WriteLine(Invariant($"ratio outbox / raw: {ratio:0.00}x; outbox / raw + receipt: {ratioToReceipt:0.00}x; backlog drained / raw: {Ratio(Backlog, Raw):0.00}x"));
            if (Outbox?.WriteRate is { } ordersPerSecond)
            {
                output.WriteLine(Invariant($"outbox run: orders written at {ordersPerSecond:0} /s (the writers' commits bound the outbox path from above)"));
            }

            if (Paced?.WriteRate is { } written)
            {
                output.WriteLine(Invariant($"paced run: orders written at {written:0} /s (target {PacedRate} /s)"));
            }

            if (Failure is not null)
            {
                output.WriteLine($"FAILED: {Failure}");
            }

            foreach (var (name, path) in new[] { ("raw", Raw), ("raw + receipt", RawWithReceipt), ("outbox", Outbox), ("paced", Paced), ("backlog", Backlog) })
            {
                if (path is { Complete: false })
                {
                    output.WriteLine(Invariant($"INCOMPLETE {name}: {path.Delivered} of {path.Expected} delivered within the timeout; its figures cover those only."));
                }

                if (path is { Duplicates: > 0 })
                {
                    output.WriteLine(Invariant($"{name}: {path.Duplicates} message(s) delivered more than once."));
                }
            }

            output.WriteLine(Invariant(
                $"bench-result broker={Broker} raw_eps={Raw?.EventsPerSecond:0} outbox_eps={Outbox?.EventsPerSecond:0} ratio={ratio:0.00} rawfx_eps={RawWithReceipt?.EventsPerSecond:0} ratio_fx={ratioToReceipt:0.00} raw_p50={Raw?.P50:0.0} raw_p99={Raw?.P99:0.0} outbox_p50={Outbox?.P50:0.0} outbox_p99={Outbox?.P99:0.0} paced_rate={PacedRate} paced_p50={Paced?.P50:0.0} paced_p99={Paced?.P99:0.0} paced_written={Paced?.WriteRate:0} outbox_written={Outbox?.WriteRate:0} backlog_eps={Backlog?.EventsPerSecond:0} ratio_backlog={Ratio(Backlog, Raw):0.00} complete={(Complete ? "yes" : "no")}"));
            if (Failure is not null)
            {
                // Last, and key=value like the rest: the failure is free text.
                output.WriteLine($"bench-failure {Failure}");
            }
        }

        private static double Ratio(PathResult? path, PathResult? baseline) =>
            path is not null && baseline is { EventsPerSecond: > 0 } ? path.EventsPerSecond / baseline.EventsPerSecond : double.NaN;

        private static void Row(TextWriter output, string label, PathResult? path)
        {
            if (path is null)
            {
                output.WriteLine(Invariant($"{label,-26} {"not run",13}"));
                return;
            }

            output.WriteLine(Invariant($"{label,-26} {$"{path.Delivered}/{path.Expected}",13} {path.EventsPerSecond,10:0} {Ms(path.P50),8} {Ms(path.P99),8} {Ms(path.Max),8}"));
        }

        private static string Ms(double value) => double.IsNaN(value) ? "-" : value.ToString("0.0", CultureInfo.InvariantCulture);

        private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
    }
}
