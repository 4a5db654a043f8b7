using System.Text;
using Company.Starter.Messaging.RabbitMq;
using Company.Starter.Messaging.Transport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Company.Starter.Messaging.Tests;

/// <summary>
/// The quorum queues' delivery limit (<c>Messaging:RabbitMq:DeliveryLimit</c>) against a real broker: declared
/// explicitly, and a message the broker gives up on lands in our dead-letter queue with its headers instead of being
/// dropped (RabbitMQ 4 applies a limit of 20 to a queue that sets none, and drops what has nowhere to go).
/// </summary>
public sealed class RabbitMqDeliveryLimitTests(BrokerServer broker) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly List<RabbitMqTransport> _transports = [];

    private static CancellationToken TestCancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_queue_is_declared_with_the_configured_delivery_limit()
    {
        var transport = await CreateTransportAsync(deliveryLimit: 7);
        var destination = broker.NewDestination();
        await transport.PublishAsync([Message(destination, 1)], TestCancellation); // declares the queue

        await using var connection = await ConnectAsync();
        // RabbitMQ refuses a declaration whose arguments differ from the queue's: only 7 is the queue's limit.
        await using (var channel = await connection.CreateChannelAsync(cancellationToken: TestCancellation))
        {
            var refused = await Assert.ThrowsAsync<OperationInterruptedException>(() => DeclareAsync(channel, destination, deliveryLimit: 8));
            Assert.Equal((ushort)406, refused.ShutdownReason?.ReplyCode); // PRECONDITION_FAILED
            Assert.Contains("x-delivery-limit", refused.Message);
        }

        await using (var channel = await connection.CreateChannelAsync(cancellationToken: TestCancellation))
        {
            var declared = await DeclareAsync(channel, destination, deliveryLimit: 7);
            Assert.Equal(1u, declared.MessageCount);
        }
    }

    [Fact]
    public async Task A_message_returned_more_often_than_the_limit_goes_to_our_dead_letter_queue_with_its_headers()
    {
        const int limit = 2;
        var transport = await CreateTransportAsync(limit);
        var destination = broker.NewDestination();
        var original = Message(destination, 1);
        await transport.PublishAsync([original], TestCancellation);

        // Each subscription fails on the message and closes its channel: the broker takes it back and counts a delivery
        // (what a worker crash or a database outage does). The third return is one more than the limit allows.
        for (var delivery = 1; delivery <= limit + 1; delivery++)
        {
            var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => transport.SubscribeAsync(
                destination,
                "receipts",
                (message, _) => throw new InvalidOperationException($"delivery {message.DeliveryCount} failed"),
                TestCancellation).WaitAsync(Patience, TestCancellation));
            Assert.Equal($"delivery {delivery} failed", failure.Message);
        }

        var deadLetter = Assert.Single(await ReceiveAsync(transport, transport.DeadLetterDestination(destination), count: 1));
        Assert.Equal(original.MessageId, deadLetter.Message.MessageId);
        Assert.Equal(original.Key, deadLetter.Message.Key);
        Assert.Equal(original.Body.ToArray(), deadLetter.Message.Body.ToArray());
        foreach (var (name, value) in original.Headers)
        {
            Assert.Equal(value, deadLetter.Message.Headers[name]);
        }

        // The broker says why it moved the message.
        Assert.Equal("delivery_limit", deadLetter.Message.Headers["x-first-death-reason"]);
        Assert.Equal(destination, deadLetter.Message.Headers["x-first-death-queue"]);
    }

    [Theory]
    [InlineData(5, 5)]
    [InlineData(30, 20)]
    public void A_delivery_limit_not_above_the_consumers_attempts_stops_the_worker_at_start(int maxAttempts, int deliveryLimit)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:rabbitmq"] = "amqp://guest:guest@localhost:5672/",
            ["Messaging:Consumer:MaxAttempts"] = maxAttempts.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Messaging:RabbitMq:DeliveryLimit"] = deliveryLimit.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        builder.AddMessagingWorker();
        using var host = builder.Build();

        var failure = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IOptions<RabbitMqOptions>>().Value);

        Assert.Contains("Messaging:RabbitMq:DeliveryLimit", failure.Message);
        Assert.Contains("Messaging:Consumer:MaxAttempts", failure.Message);
    }

    private static Task<QueueDeclareOk> DeclareAsync(IChannel channel, string queue, int deliveryLimit) =>
        channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, new Dictionary<string, object?>
        {
            ["x-queue-type"] = "quorum",
            ["x-single-active-consumer"] = true,
            ["x-delivery-limit"] = deliveryLimit,
            ["x-dead-letter-exchange"] = string.Empty,
            ["x-dead-letter-routing-key"] = queue + ".dlq",
            ["x-dead-letter-strategy"] = "at-least-once",
            ["x-overflow"] = "reject-publish",
        }, cancellationToken: TestCancellation);

    private static TransportMessage Message(string destination, int number) => new(
        destination,
        $"order-{number}",
        $"message-{number}",
        Encoding.UTF8.GetBytes($"event {number}"),
        new Dictionary<string, string>
        {
            ["ce_specversion"] = "1.0",
            ["ce_type"] = "orders.placed.v1",
            ["traceparent"] = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
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

    private async Task<IConnection> ConnectAsync() =>
        await new ConnectionFactory { Uri = new Uri(await broker.GetConnectionStringAsync(TestCancellation)) }.CreateConnectionAsync(TestCancellation);

    private async Task<RabbitMqTransport> CreateTransportAsync(int deliveryLimit)
    {
        var transport = new RabbitMqTransport(
            Options.Create(new RabbitMqOptions { ConnectionString = await broker.GetConnectionStringAsync(TestCancellation), DeliveryLimit = deliveryLimit }),
            NullLogger<RabbitMqTransport>.Instance);
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
