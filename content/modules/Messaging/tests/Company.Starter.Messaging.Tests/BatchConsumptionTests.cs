using System.Data.Common;
using System.Diagnostics.Metrics;
using System.Text.Json;
using Company.Starter.Messaging.Consumers;
using Company.Starter.Messaging.Envelope;
using Company.Starter.Messaging.Events;
using Company.Starter.Messaging.Inbox;
using Company.Starter.Messaging.Outbox;
using Company.Starter.Messaging.Telemetry;
using Company.Starter.Messaging.Transport;
using Company.Starter.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Company.Starter.Messaging.Tests;

/// <summary>
/// The consumer's batches (Messaging:Consumer:MaxBatchSize): messages the broker hands over together share one
/// transaction, and no guarantee of the one-by-one path is lost on the way. The messages are published BEFORE the worker
/// starts, on one key, so that a broker whose transport batches (Kafka) delivers them in one batch; on the others they
/// come one by one and the same assertions hold.
/// </summary>
public sealed class BatchConsumptionTests(TestEnvironment environment, BrokerServer broker)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_message_that_fails_in_the_middle_of_a_batch_is_dead_lettered_alone_and_every_other_message_has_one_effect()
    {
        await using var bed = await OrdersTestBed.CreateAsync(environment, broker);
        await using var publisher = Publisher.Create(bed);
        var key = Guid.CreateVersion7().ToString();
        var valid = Enumerable.Range(0, 10).Select(_ => Event(bed.Destination, key, Guid.CreateVersion7(), quantity: 2)).ToList();
        var poison = Event(bed.Destination, key, Guid.CreateVersion7(), quantity: -2);
        await publisher.PublishAsync([.. valid[..5], poison, .. valid[5..]]);

        using var counters = new GroupCounters(bed.ConsumerGroup);
        await using var worker = bed.StartWorker();
        await using var deadLetters = new DeadLetterReader(publisher.Transport, bed.Destination);

        var letter = await deadLetters.NextAsync(Patience);
        await counters.WaitUntilAsync(c => c.Handled >= valid.Count, Patience, "every valid message handled");

        Assert.Equal(poison.MessageId, letter.Message.MessageId);
        Assert.Equal("1", letter.Message.Headers[DeadLetterHeaders.Attempts]); // permanent: not retried
        Assert.Contains("quantity -2 is not positive", letter.Message.Headers[DeadLetterHeaders.Error]);
        var counts = await bed.CountAsync();
        Assert.Equal(valid.Count, counts.Receipts);
        Assert.Equal(valid.Count, counts.Inbox);
        var receiptMessages = await bed.QueryAsync(db => db.Receipts.Select(r => r.MessageId).ToListAsync());
        Assert.Equal(valid.Select(m => Guid.Parse(m.MessageId)).Order(), receiptMessages.Order());
        Assert.Equal(1, counters.DeadLettered);
        Assert.Equal(0, counters.Retried);
        if (Batches(publisher.Transport))
        {
            // The batch's transaction failed on the poison, rolled back, and its messages were handled one by one.
            Assert.Equal(1, counters.BatchesRolledBack);
        }

        TestContext.Current.TestOutputHelper?.WriteLine(
            $"receipts {counts.Receipts}, inbox {counts.Inbox}, dead letters {counters.DeadLettered}, batches rolled back {counters.BatchesRolledBack}");
    }

    [Fact]
    public async Task The_same_message_twice_in_one_batch_has_one_effect_and_the_batch_commits()
    {
        await using var bed = await OrdersTestBed.CreateAsync(environment, broker);
        await using var publisher = Publisher.Create(bed);
        var key = Guid.CreateVersion7().ToString();
        var first = Event(bed.Destination, key, Guid.CreateVersion7(), quantity: 1);
        var second = Event(bed.Destination, key, Guid.CreateVersion7(), quantity: 3);
        // A publish repeated after a relay crash, right behind the first: the same message id, fetched together.
        await publisher.PublishAsync([first, first, second]);

        using var counters = new GroupCounters(bed.ConsumerGroup);
        await using var worker = bed.StartWorker();

        // JetStream drops the repeat at publish (its duplicate window): there, two messages reach the consumer.
        var delivered = publisher.Transport.System == "nats" ? 2 : 3;
        await counters.WaitUntilAsync(c => c.Handled >= delivered, Patience, "every delivered message handled");

        var counts = await bed.CountAsync();
        Assert.Equal(2, counts.Receipts);
        Assert.Equal(2, counts.Inbox);
        Assert.Equal(delivered, counters.Handled);
        Assert.Equal(0, counters.Retried);
        Assert.Equal(0, counters.DeadLettered);
        // Counted once within the batch, not found out by a failed insert: the batch committed as one.
        Assert.Equal(0, counters.BatchesRolledBack);
    }

    [Fact]
    public async Task A_batch_whose_commit_fails_once_is_handled_again_with_one_effect_per_message()
    {
        await using var bed = await OrdersTestBed.CreateAsync(environment, broker);
        await using var publisher = Publisher.Create(bed);
        var key = Guid.CreateVersion7().ToString();
        var messages = Enumerable.Range(0, 8).Select(_ => Event(bed.Destination, key, Guid.CreateVersion7(), quantity: 1)).ToList();
        await publisher.PublishAsync(messages);

        var failingCommit = new FailFirstInboxCommit();
        using var counters = new GroupCounters(bed.ConsumerGroup);
        await using var worker = bed.StartWorker(
            configureServices: services => services.ConfigureDbContext<MessagingDbContext>(options => options.AddInterceptors(failingCommit)));

        await counters.WaitUntilAsync(c => c.Handled >= messages.Count, Patience, "every message handled");

        var counts = await bed.CountAsync();
        Assert.Equal(1, failingCommit.Failures);
        Assert.Equal(messages.Count, counts.Receipts);
        Assert.Equal(messages.Count, counts.Inbox);
        Assert.Equal(messages.Count, counters.Handled);
        Assert.Equal(0, counters.DeadLettered);
        if (Batches(publisher.Transport))
        {
            Assert.Equal(1, counters.BatchesRolledBack);
            Assert.Equal(0, counters.Retried); // the one-by-one path after the rollback succeeded at once
        }
        else
        {
            Assert.Equal(1, counters.Retried); // the one message whose commit failed, retried
        }
    }

    /// <summary>Whether the solution's transport delivers more than one message at a time (Kafka's does).</summary>
    private static bool Batches(IMessageTransport transport) => transport.System == "kafka";

    /// <summary>A valid OrderPlaced (or one whose quantity fails validation) as the relay would publish it, on <paramref name="key"/>.</summary>
    private static TransportMessage Event(string destination, string key, Guid orderId, int quantity) =>
        CloudEventEnvelope.ToTransportMessage(
            new OutboxMessage
            {
                MessageId = Guid.CreateVersion7(),
                Destination = destination,
                Key = key,
                Type = OrderPlaced.EventType,
                Payload = JsonSerializer.Serialize(
                    new OrderPlaced(orderId, "customer-1", "SKU-1", quantity, 9.99m, DateTimeOffset.UtcNow),
                    MessagingJsonContext.Default.OrderPlaced),
                OccurredAt = DateTimeOffset.UtcNow,
            },
            new Dictionary<string, string>());

    /// <summary>
    /// The worker's transport on the test's settings, in a host that is built but never started (no relay, no
    /// consumer): publishes before the worker under test subscribes.
    /// </summary>
    private sealed class Publisher(IHost host) : IAsyncDisposable
    {
        public IMessageTransport Transport { get; } = host.Services.GetRequiredService<IMessageTransport>();

        public static Publisher Create(OrdersTestBed bed)
        {
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = Environments.Production });
            builder.Configuration.AddInMemoryCollection(bed.Settings);
            builder.AddData();
            builder.AddMessagingWorker();
            return new Publisher(builder.Build());
        }

        /// <summary>Publishes in one call, repeated (bounded) while the broker does not confirm, as the relay does.</summary>
        public async Task PublishAsync(IReadOnlyList<TransportMessage> messages)
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await Transport.PublishAsync(messages, TestContext.Current.CancellationToken);
                    return;
                }
                catch (Exception exception) when (attempt < 10 && exception is not OperationCanceledException)
                {
                    TestContext.Current.TestOutputHelper?.WriteLine($"publish attempt {attempt} not confirmed: {exception.Message}");
                    await Task.Delay(100 * attempt, TestContext.Current.CancellationToken);
                }
            }
        }

        public ValueTask DisposeAsync()
        {
            host.Dispose();
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>
    /// The consumer counters of one consumer group (each test has its own), listened to from before the worker starts,
    /// so that nothing handled early is missed.
    /// </summary>
    private sealed class GroupCounters : IDisposable
    {
        private readonly MeterListener _listener = new();
        private long _handled;
        private long _retried;
        private long _deadLettered;
        private long _batchesRolledBack;

        public GroupCounters(string consumerGroup)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == MessagingTelemetry.Name)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            {
                var group = false;
                foreach (var tag in tags)
                {
                    group |= tag.Key == "messaging.consumer.group.name" && Equals(tag.Value, consumerGroup);
                }

                if (!group)
                {
                    return;
                }

                switch (instrument.Name)
                {
                    case "messaging.consumer.handled": Interlocked.Add(ref _handled, value); break;
                    case "messaging.consumer.retried": Interlocked.Add(ref _retried, value); break;
                    case "messaging.consumer.dead_lettered": Interlocked.Add(ref _deadLettered, value); break;
                    case "messaging.consumer.batch_rolled_back": Interlocked.Add(ref _batchesRolledBack, value); break;
                }
            });
            _listener.Start();
        }

        public long Handled => Interlocked.Read(ref _handled);

        public long Retried => Interlocked.Read(ref _retried);

        public long DeadLettered => Interlocked.Read(ref _deadLettered);

        public long BatchesRolledBack => Interlocked.Read(ref _batchesRolledBack);

        public async Task WaitUntilAsync(Func<GroupCounters, bool> condition, TimeSpan timeout, string what)
        {
            var deadline = DateTime.UtcNow + timeout;
            while (!condition(this))
            {
                if (DateTime.UtcNow > deadline)
                {
                    Assert.Fail($"Not within {timeout}: {what}. Handled {Handled}, retried {Retried}, dead-lettered {DeadLettered}, batches rolled back {BatchesRolledBack}.");
                }

                await Task.Delay(50, TestContext.Current.CancellationToken);
            }
        }

        public void Dispose() => _listener.Dispose();
    }

    /// <summary>
    /// Fails the first commit of a consumer's transaction (one that holds inbox rows) as a connection lost at that moment
    /// would: the transaction does not commit. Later commits go through.
    /// </summary>
    private sealed class FailFirstInboxCommit : DbTransactionInterceptor
    {
        private int _failures;

        public int Failures => Volatile.Read(ref _failures);

        public override ValueTask<InterceptionResult> TransactionCommittingAsync(
            DbTransaction transaction, TransactionEventData eventData, InterceptionResult result, CancellationToken cancellationToken = default)
        {
            if (eventData.Context?.ChangeTracker.Entries<InboxMessage>().Any() == true && Interlocked.CompareExchange(ref _failures, 1, 0) == 0)
            {
                throw new TimeoutException("The commit did not go through.");
            }

            return base.TransactionCommittingAsync(transaction, eventData, result, cancellationToken);
        }
    }
}
