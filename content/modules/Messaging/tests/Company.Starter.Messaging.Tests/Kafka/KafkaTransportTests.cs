using System.Diagnostics;
using System.Text;
using Company.Starter.Messaging.Kafka;
using Company.Starter.Messaging.Transport;
using Confluent.Kafka;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Company.Starter.Messaging.Tests;

/// <summary>
/// The Kafka transport against a broker speaking the Kafka protocol over TCP (librdkafka's mock cluster, or the cluster in
/// <see cref="BrokerServer.Variable"/>): publish confirmations, order per key, offsets stored only after the handler,
/// dead letters and headers, and a broker that is not there.
/// </summary>
public sealed class KafkaTransportTests(BrokerServer broker)
{
    // Joining a consumer group takes a few seconds; a generous bound only matters when something hangs.
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_published_batch_is_received_whole_and_in_order_per_key()
    {
        var (topic, group) = await NewTopicAsync();
        using var transport = await CreateTransportAsync();
        string[] keys = ["order-1", "order-2", "order-3"];
        var batch = Enumerable.Range(1, 30).Select(n => Message(topic, keys[n % keys.Length], n)).ToList();

        await transport.PublishAsync(batch, TestContext.Current.CancellationToken);
        var received = await ReceiveAsync(transport, topic, group, count: batch.Count);

        Assert.Equal(batch.Select(m => m.MessageId).Order(), received.Select(m => m.Message.MessageId).Order());
        foreach (var key in keys)
        {
            var sent = batch.Where(m => m.Key == key).Select(m => m.MessageId);
            Assert.Equal(sent, received.Where(m => m.Message.Key == key).Select(m => m.Message.MessageId));
        }

        var first = received[0];
        Assert.Equal("kafka", transport.System);
        Assert.Equal(1, first.DeliveryCount);
        Assert.Equal(topic, first.Message.Destination);
        Assert.Equal(topic, first.Coordinates["messaging.destination.name"]);
        Assert.Equal(first.Message.Key, first.Coordinates["messaging.kafka.message.key"]);
        Assert.True(int.Parse(first.Coordinates["messaging.destination.partition.id"]) >= 0);
        Assert.True(long.Parse(first.Coordinates["messaging.kafka.offset"]) >= 0);
        Assert.Equal(batch.Single(m => m.MessageId == first.Message.MessageId).Body.ToArray(), first.Message.Body.ToArray());
    }

    [Fact]
    public async Task A_message_whose_handler_threw_is_received_again_by_the_next_subscription_and_the_ones_before_it_are_not()
    {
        var (topic, group) = await NewTopicAsync();
        using var transport = await CreateTransportAsync();
        // One key, so one partition: offsets and publish order coincide.
        await transport.PublishAsync(
            [.. Enumerable.Range(1, 5).Select(n => Message(topic, "order-1", n))], TestContext.Current.CancellationToken);

        var firstRun = new List<string>();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(Patience);
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => transport.SubscribeAsync(topic, group, (message, _) =>
        {
            firstRun.Add(message.Message.MessageId);
            return message.Message.MessageId == "event-3"
                ? throw new InvalidOperationException("The handler failed on event-3.")
                : Task.CompletedTask;
        }, timeout.Token));

        Assert.Equal("The handler failed on event-3.", failure.Message);
        Assert.Equal(["event-1", "event-2", "event-3"], firstRun);

        var secondRun = await ReceiveAsync(transport, topic, group, count: 3);
        Assert.Equal(["event-3", "event-4", "event-5"], secondRun.Select(m => m.Message.MessageId));
    }

    [Fact]
    public async Task A_cancelled_subscription_leaves_the_group_with_its_handled_offsets_committed()
    {
        var (topic, group) = await NewTopicAsync();
        using var transport = await CreateTransportAsync();
        await transport.PublishAsync(
            [.. Enumerable.Range(1, 4).Select(n => Message(topic, "order-1", n))], TestContext.Current.CancellationToken);

        var firstRun = await ReceiveAsync(transport, topic, group, count: 2);
        var secondRun = await ReceiveAsync(transport, topic, group, count: 2);

        Assert.Equal(["event-1", "event-2"], firstRun.Select(m => m.Message.MessageId));
        Assert.Equal(["event-3", "event-4"], secondRun.Select(m => m.Message.MessageId));
    }

    [Fact]
    public async Task A_dead_letter_goes_to_a_topic_of_its_own_with_its_headers_and_trace_context_unchanged()
    {
        var (topic, group) = await NewTopicAsync();
        using var transport = await CreateTransportAsync();
        var deadLetters = transport.DeadLetterDestination(topic);
        var headers = new Dictionary<string, string>
        {
            ["ce_specversion"] = "1.0",
            ["ce_id"] = "event-7",
            ["ce_type"] = "com.example.orders.placed.v1",
            ["ce_source"] = "/orders",
            ["content-type"] = "application/json",
            ["traceparent"] = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
            ["tracestate"] = "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7",
            ["dlq-error"] = "Größe ungültig: the handler refused the order",
            ["dlq-attempts"] = "5",
            ["dlq-original-offset"] = "41",
        };
        var body = """{"orderId":"7","total":12.5}"""u8.ToArray();

        await transport.PublishAsync([new TransportMessage(deadLetters, "order-7", "event-7", body, headers)], TestContext.Current.CancellationToken);
        var received = Assert.Single(await ReceiveAsync(transport, deadLetters, group, count: 1));

        Assert.Equal(topic + ".dlq", deadLetters);
        Assert.Equal(deadLetters, received.Coordinates["messaging.destination.name"]);
        Assert.Equal("order-7", received.Message.Key);
        Assert.Equal("event-7", received.Message.MessageId);
        Assert.Equal(body, received.Message.Body.ToArray());
        Assert.Equal(headers.OrderBy(h => h.Key), received.Message.Headers.OrderBy(h => h.Key));
    }

    [Fact]
    public async Task A_publish_to_a_broker_that_is_not_there_fails_within_the_message_timeout()
    {
        var options = new KafkaOptions
        {
            BootstrapServers = BrokerServer.UnreachableBootstrapServers(),
            MessageTimeout = TimeSpan.FromSeconds(2),
            CreateTopics = false,
        };
        using var transport = new KafkaTransport(Options.Create(options), NullLogger<KafkaTransport>.Instance);
        var clock = Stopwatch.StartNew();

        var failure = await Assert.ThrowsAsync<KafkaException>(() =>
            transport.PublishAsync([Message("orders", "order-1", 1), Message("orders", "order-2", 2)], TestContext.Current.CancellationToken));

        // librdkafka's default (5 minutes) would hold the relay that long; the bound keeps it near the option.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"The publish failed only after {clock.Elapsed}.");
        Assert.Equal(ErrorCode.Local_MsgTimedOut, failure.Error.Code);
        Assert.Contains("2 of 2", failure.Message);
    }

    [Fact]
    public async Task A_published_message_without_a_ce_id_header_carries_its_message_id()
    {
        var (topic, group) = await NewTopicAsync();
        using var transport = await CreateTransportAsync();

        await transport.PublishAsync(
            [new TransportMessage(topic, "order-9", "event-9", "{}"u8.ToArray(), new Dictionary<string, string>())],
            TestContext.Current.CancellationToken);
        var received = Assert.Single(await ReceiveAsync(transport, topic, group, count: 1));

        Assert.Equal("event-9", received.Message.MessageId);
        Assert.Equal("event-9", received.Message.Headers["ce_id"]);
    }

    [Fact]
    public async Task A_message_with_a_header_without_a_value_is_received_and_so_is_the_next_one()
    {
        var (topic, group) = await NewTopicAsync();
        using var transport = await CreateTransportAsync();
        // Kafka allows a header with no value; another producer than the relay may well send one.
        var config = new ProducerConfig { BootstrapServers = await broker.GetBootstrapServersAsync(TestContext.Current.CancellationToken) };
        using (var producer = new ProducerBuilder<string, byte[]>(config).Build())
        {
            var headers = new Headers { { "ce_id", "event-1"u8.ToArray() }, { "x-empty", null } };
            await producer.ProduceAsync(topic, new Message<string, byte[]> { Key = "order-1", Value = "{}"u8.ToArray(), Headers = headers }, TestContext.Current.CancellationToken);
        }

        await transport.PublishAsync([Message(topic, "order-1", 2)], TestContext.Current.CancellationToken);
        var received = await ReceiveAsync(transport, topic, group, count: 2);

        Assert.Equal(["event-1", "event-2"], received.Select(m => m.Message.MessageId));
        Assert.Equal(string.Empty, received[0].Message.Headers["x-empty"]);
    }

    private async Task<(string Topic, string Group)> NewTopicAsync()
    {
        var settings = await broker.CreateSettingsAsync(TestContext.Current.CancellationToken);
        return (settings["Messaging:OrdersDestination"]!, settings["Messaging:ConsumerGroup"]!);
    }

    private async Task<KafkaTransport> CreateTransportAsync()
    {
        var options = new KafkaOptions
        {
            BootstrapServers = await broker.GetBootstrapServersAsync(TestContext.Current.CancellationToken),
            CreateTopics = !broker.IsMockCluster,
            SessionTimeout = TimeSpan.FromSeconds(6),
        };
        return new KafkaTransport(Options.Create(options), NullLogger<KafkaTransport>.Instance);
    }

    private static TransportMessage Message(string topic, string key, int number) => new(
        topic,
        key,
        $"event-{number}",
        Encoding.UTF8.GetBytes($$"""{"number":{{number}}}"""),
        new Dictionary<string, string>
        {
            ["ce_id"] = $"event-{number}",
            ["ce_type"] = "com.example.orders.placed.v1",
            ["traceparent"] = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        });

    /// <summary>Subscribes until <paramref name="count"/> messages were handled, then cancels the subscription.</summary>
    private static async Task<List<ReceivedMessage>> ReceiveAsync(IMessageTransport transport, string topic, string group, int count)
    {
        var received = new List<ReceivedMessage>();
        var enough = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var subscription = transport.SubscribeAsync(topic, group, async (message, cancellationToken) =>
        {
            lock (received)
            {
                if (received.Count < count)
                {
                    received.Add(message);
                    if (received.Count == count)
                    {
                        enough.TrySetResult();
                    }

                    return;
                }
            }

            // One more than asked for: held (not handled) until the subscription is cancelled, so its offset is not stored.
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }, stop.Token);

        var first = await Task.WhenAny(enough.Task, subscription, Task.Delay(Patience, TestContext.Current.CancellationToken));
        if (first != enough.Task && first != subscription)
        {
            lock (received)
            {
                Assert.Fail($"{topic} gave {received.Count} of {count} messages in {Patience} ({string.Join(", ", received.Select(m => m.Message.MessageId))}).");
            }
        }

        if (first == subscription)
        {
            await subscription;
            Assert.Fail($"The subscription ended after {received.Count} of {count} messages.");
        }

        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => subscription);

        lock (received)
        {
            return [.. received];
        }
    }
}
