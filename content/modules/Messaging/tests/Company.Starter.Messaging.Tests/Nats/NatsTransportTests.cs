using System.Text;
using System.Threading.Channels;
using Company.Starter.Messaging.Nats;
using Company.Starter.Messaging.Transport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NATS.Client.Core;
using NATS.Net;

namespace Company.Starter.Messaging.Tests;

/// <summary>The NATS JetStream transport against a real server: PubAcks, de-duplication, order, acks after the effect, dead letters.</summary>
public sealed class NatsTransportTests(BrokerServer broker) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly List<NatsTransport> _transports = [];

    private static CancellationToken TestCancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Messages_arrive_in_publish_order_per_key_with_their_id_key_headers_and_queue_coordinates()
    {
        var transport = await CreateTransportAsync();
        var destination = broker.NewDestination();
        var published = Enumerable.Range(1, 30).Select(i => Message(destination, $"order-{i % 3}", i)).ToList();

        // One batch: the keys' messages go out concurrently, each key's in order.
        await transport.PublishAsync(published, TestCancellation);

        var received = await ReceiveAsync(transport, destination, count: 30);
        foreach (var key in new[] { "order-0", "order-1", "order-2" })
        {
            Assert.Equal(
                published.Where(m => m.Key == key).Select(m => m.MessageId),
                received.Where(r => r.Message.Key == key).Select(r => r.Message.MessageId));
        }

        var first = received.Single(r => r.Message.MessageId == "message-1");
        Assert.Equal("order-1", first.Message.Key);
        Assert.Equal(destination, first.Message.Destination);
        Assert.Equal("event 1", Encoding.UTF8.GetString(first.Message.Body.Span));
        AssertHeaders(published[0].Headers, first.Message.Headers);
        Assert.Equal(1, first.DeliveryCount);
        Assert.Equal(destination, first.Coordinates["messaging.destination.name"]);
        Assert.Equal(destination, first.Coordinates["nats.stream"]);
        // The stream sequence follows the publish order of a key (message-1 was the first of key order-1).
        Assert.Equal(
            received.Where(r => r.Message.Key == "order-1").Select(r => ulong.Parse(r.Coordinates["nats.sequence"])).Order(),
            received.Where(r => r.Message.Key == "order-1").Select(r => ulong.Parse(r.Coordinates["nats.sequence"])));
    }

    [Fact]
    public async Task A_message_whose_handler_throws_is_not_acknowledged_and_comes_back_first_to_the_next_subscription()
    {
        var transport = await CreateTransportAsync();
        var destination = broker.NewDestination();
        await transport.PublishAsync([.. Enumerable.Range(1, 3).Select(i => Message(destination, "order-1", i))], TestCancellation);

        var handled = new List<string>();
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => transport.SubscribeAsync(
            destination,
            "receipts",
            (message, _) =>
            {
                handled.Add(message.Message.MessageId);
                throw new InvalidOperationException("the effect failed");
            },
            TestCancellation).WaitAsync(Patience, TestCancellation));

        Assert.Equal("the effect failed", failure.Message);
        Assert.Equal(["message-1"], handled);

        // Nothing was acknowledged: the next subscription gets all three, the failed one first, counted as redelivered.
        var received = await ReceiveAsync(transport, destination, count: 3);
        Assert.Equal(["message-1", "message-2", "message-3"], received.Select(r => r.Message.MessageId));
        Assert.Equal(2, received[0].DeliveryCount);
    }

    [Fact]
    public async Task An_acknowledged_message_is_not_delivered_again()
    {
        var transport = await CreateTransportAsync();
        var destination = broker.NewDestination();
        await transport.PublishAsync([Message(destination, "order-1", 1)], TestCancellation);
        Assert.Single(await ReceiveAsync(transport, destination, count: 1));

        await transport.PublishAsync([Message(destination, "order-1", 2)], TestCancellation);
        var next = await ReceiveAsync(transport, destination, count: 1);

        Assert.Equal("message-2", Assert.Single(next).Message.MessageId);
    }

    [Fact]
    public async Task A_dead_letter_reaches_the_dead_letter_queue_with_its_headers()
    {
        var transport = await CreateTransportAsync();
        var destination = broker.NewDestination();
        var deadLetters = transport.DeadLetterDestination(destination);
        Assert.Equal(destination + ".dlq", deadLetters);
        var original = Message(destination, "order-7", 7);
        var deadLetter = original with
        {
            Destination = deadLetters,
            Headers = new Dictionary<string, string>(original.Headers)
            {
                ["dlq-error"] = "System.InvalidOperationException: poison",
                ["dlq-attempts"] = "5",
                ["dlq-messaging.destination.name"] = destination,
            },
        };

        // The original went to the events' stream first: the dead letter keeps its message id, and must not be
        // taken for a duplicate of it.
        await transport.PublishAsync([original], TestCancellation);
        await transport.PublishAsync([deadLetter], TestCancellation);

        var received = Assert.Single(await ReceiveAsync(transport, deadLetters, count: 1));
        Assert.Equal(original.MessageId, received.Message.MessageId);
        Assert.Equal("order-7", received.Message.Key);
        AssertHeaders(deadLetter.Headers, received.Message.Headers);
        Assert.Equal(deadLetters, received.Coordinates["messaging.destination.name"]);
        Assert.Equal(destination + "_DLQ", received.Coordinates["nats.stream"]);
    }

    [Fact]
    public async Task The_same_message_id_published_twice_is_stored_once_and_both_publishes_succeed()
    {
        var transport = await CreateTransportAsync();
        var destination = broker.NewDestination();

        // The relay crashed after the PubAck and before marking the batch sent: it publishes the batch again.
        await transport.PublishAsync([Message(destination, "order-1", 1), Message(destination, "order-1", 2)], TestCancellation);
        await transport.PublishAsync([Message(destination, "order-1", 1), Message(destination, "order-1", 2)], TestCancellation);
        await transport.PublishAsync([Message(destination, "order-1", 3)], TestCancellation);

        await using var connection = new NatsConnection(NatsOpts.Default with { Url = await broker.GetConnectionStringAsync(TestCancellation) });
        var stream = await connection.CreateJetStreamContext().GetStreamAsync(destination, cancellationToken: TestCancellation);
        Assert.Equal(3, stream.Info.State.Messages);
        var received = await ReceiveAsync(transport, destination, count: 3);
        Assert.Equal(Ids(1, 3), received.Select(r => r.Message.MessageId));
    }

    [Fact]
    public async Task Two_replicas_of_a_consumer_group_handle_a_subject_in_publish_order_one_message_at_a_time()
    {
        var transport = await CreateTransportAsync();
        var other = await CreateTransportAsync();
        var destination = broker.NewDestination();
        await transport.PublishAsync([.. Range(destination, 1, 30)], TestCancellation);

        var handled = Channel.CreateUnbounded<string>();
        var inFlight = 0;
        var overlaps = 0;
        async Task Handle(ReceivedMessage message, CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref inFlight) > 1)
            {
                Interlocked.Increment(ref overlaps);
            }

            await Task.Yield();
            await handled.Writer.WriteAsync(message.Message.MessageId, cancellationToken);
            Interlocked.Decrement(ref inFlight);
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestCancellation);
        var first = transport.SubscribeAsync(destination, "receipts", Handle, stop.Token);
        var second = other.SubscribeAsync(destination, "receipts", Handle, stop.Token);

        var order = await ReadAsync(handled.Reader, 30);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => second);

        Assert.Equal(Ids(1, 30), order);
        Assert.Equal(0, overlaps);
    }

    private static IEnumerable<TransportMessage> Range(string destination, int start, int count) =>
        Enumerable.Range(start, count).Select(i => Message(destination, "order-1", i));

    private static IEnumerable<string> Ids(int start, int count) => Enumerable.Range(start, count).Select(i => $"message-{i}");

    [Fact]
    public async Task Publishing_to_an_unreachable_broker_throws_within_the_connect_timeout()
    {
        var transport = Track(new NatsTransport(
            Options.Create(new NatsOptions
            {
                ConnectionString = BrokerServer.UnreachableConnectionString(),
                ConnectTimeout = TimeSpan.FromSeconds(2),
                PublishTimeout = TimeSpan.FromSeconds(5),
            }),
            NullLogger<NatsTransport>.Instance));

        // WaitAsync's TimeoutException would mean the publish hung; the transport's own failure is what we expect.
        var failure = await Assert.ThrowsAnyAsync<Exception>(
            () => transport.PublishAsync([Message("orders", "order-1", 1)], TestCancellation).WaitAsync(Patience, TestCancellation));
        Assert.IsNotType<TimeoutException>(failure);
        Assert.Contains("unreachable", failure.Message);
    }

    [Fact]
    public void A_worker_without_a_nats_connection_string_fails_validation_naming_the_setting()
    {
        using var host = BuildWorkerServices(new Dictionary<string, string?>());

        var failure = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IOptions<NatsOptions>>().Value);

        Assert.Contains("ConnectionStrings:nats", failure.Message);
    }

    [Fact]
    public void A_connection_string_that_is_not_a_nats_url_fails_validation()
    {
        using var host = BuildWorkerServices(new Dictionary<string, string?> { ["ConnectionStrings:nats"] = "http://localhost:4222" });

        var failure = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IOptions<NatsOptions>>().Value);

        Assert.Contains("must be a NATS URL", failure.Message);
    }

    [Theory]
    // 5 attempts: 0.2 + 0.4 + 0.8 + 1.6 s = 3 s of backoff, which needs an AckWait of 6 s.
    [InlineData("00:00:05", "5", false)]
    [InlineData("00:00:06", "5", true)]
    // 10 attempts: 0.2 + 0.4 + 0.8 + 1.6 + 3.2 + 5 x 4 = 26.2 s, more than half of the default 30 s.
    [InlineData("00:00:30", "10", false)]
    public void A_message_must_wait_out_its_retries_within_half_the_ack_wait(string ackWait, string maxAttempts, bool starts)
    {
        using var host = BuildWorkerServices(new Dictionary<string, string?>
        {
            ["ConnectionStrings:nats"] = BrokerServer.UnreachableConnectionString(),
            ["Messaging:Nats:AckWait"] = ackWait,
            ["Messaging:Consumer:MaxAttempts"] = maxAttempts,
        });

        var failure = Record.Exception(() => host.Services.GetRequiredService<IOptions<NatsOptions>>().Value);

        if (starts)
        {
            Assert.Null(failure);
        }
        else
        {
            var invalid = Assert.IsType<OptionsValidationException>(failure);
            Assert.Contains("Messaging:Nats:AckWait", invalid.Message);
            Assert.Contains($"Messaging:Consumer:MaxAttempts {maxAttempts}", invalid.Message);
        }
    }

    [Fact]
    public async Task The_readiness_check_is_healthy_with_the_broker_and_unhealthy_without_it()
    {
        var settings = await broker.CreateSettingsAsync(TestCancellation);
        using var reachable = BuildWorkerServices(settings);
        using var unreachable = BuildWorkerServices(new Dictionary<string, string?>(settings)
        {
            ["ConnectionStrings:nats"] = BrokerServer.UnreachableConnectionString(),
            ["Messaging:Nats:ConnectTimeout"] = "00:00:02",
        });

        var healthy = await reachable.Services.GetRequiredService<HealthCheckService>()
            .CheckHealthAsync(check => check.Name == "nats", TestCancellation);
        var unhealthy = await unreachable.Services.GetRequiredService<HealthCheckService>()
            .CheckHealthAsync(check => check.Name == "nats", TestCancellation);

        Assert.Equal(HealthStatus.Healthy, Assert.Single(healthy.Entries).Value.Status);
        Assert.Equal(HealthStatus.Unhealthy, Assert.Single(unhealthy.Entries).Value.Status);
    }

    private static void AssertHeaders(IReadOnlyDictionary<string, string> expected, IReadOnlyDictionary<string, string> actual) =>
        Assert.Equal(expected.OrderBy(h => h.Key, StringComparer.Ordinal), actual.OrderBy(h => h.Key, StringComparer.Ordinal));

    private static IHost BuildWorkerServices(IDictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddMessagingWorker();
        return builder.Build();
    }

    private static TransportMessage Message(string destination, string key, int number) => new(
        destination,
        key,
        $"message-{number}",
        Encoding.UTF8.GetBytes($"event {number}"),
        new Dictionary<string, string>
        {
            ["ce_specversion"] = "1.0",
            ["ce_type"] = "orders.placed.v1",
            ["traceparent"] = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
            ["number"] = number.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });

    /// <summary>Subscribes until <paramref name="count"/> messages were handled (and so acknowledged), then cancels.</summary>
    private static async Task<List<ReceivedMessage>> ReceiveAsync(IMessageTransport transport, string destination, int count)
    {
        var received = new List<ReceivedMessage>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestCancellation);
        stop.CancelAfter(Patience);
        var subscription = transport.SubscribeAsync(destination, "receipts", (message, _) =>
        {
            received.Add(message);
            if (received.Count == count)
            {
                stop.Cancel();
            }

            return Task.CompletedTask;
        }, stop.Token);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => subscription);
        Assert.Equal(count, received.Count);
        return received;
    }

    private static async Task<List<T>> ReadAsync<T>(ChannelReader<T> reader, int count)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestCancellation);
        timeout.CancelAfter(Patience);
        var messages = new List<T>();
        while (messages.Count < count)
        {
            messages.Add(await reader.ReadAsync(timeout.Token));
        }

        return messages;
    }

    private async Task<NatsTransport> CreateTransportAsync() => Track(new NatsTransport(
        Options.Create(new NatsOptions { ConnectionString = await broker.GetConnectionStringAsync(TestCancellation) }),
        NullLogger<NatsTransport>.Instance));

    private NatsTransport Track(NatsTransport transport)
    {
        _transports.Add(transport);
        return transport;
    }

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        foreach (var transport in _transports)
        {
            await transport.DisposeAsync();
        }
    }
}
