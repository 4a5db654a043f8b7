using Confluent.Kafka;
using TemplatePack.Tests.Infrastructure;

namespace TemplatePack.Tests.Run;

/// <summary>
/// The broker a messaging scenario's API and worker run against, as settings (environment variables): RabbitMQ and
/// NATS from the harness's services (a missing one skips, naming its variable); Kafka as librdkafka's mock cluster
/// owned by this process (the real Kafka protocol over TCP on loopback, as the environment guide describes), alive until
/// disposed. Each run gets destinations and a consumer group of its own.
/// </summary>
public sealed class MessagingBroker : IAsyncDisposable
{
    private readonly IProducer<Null, Null>? _mockClusterOwner;

    private MessagingBroker(Dictionary<string, string?> settings, IProducer<Null, Null>? mockClusterOwner)
    {
        Settings = settings;
        _mockClusterOwner = mockClusterOwner;
    }

    /// <summary>Environment variables for the API and the worker.</summary>
    public Dictionary<string, string?> Settings { get; }

    /// <summary>The broker's connection string key (<c>ConnectionStrings__kafka</c>, ...), to point a worker elsewhere.</summary>
    public string ConnectionStringKey { get; private init; } = "";

    /// <summary>An address where no broker listens, for the outage half of the proof.</summary>
    public string Unreachable { get; private init; } = "";

    public static MessagingBroker Start(Scenario scenario)
    {
        var suffix = Guid.NewGuid().ToString("N")[..12];
        var settings = new Dictionary<string, string?>
        {
            ["Messaging__OrdersDestination"] = $"orders-{suffix}",
            ["Messaging__ConsumerGroup"] = $"receipts-{suffix}",
        };

        switch (scenario.Expect.Broker)
        {
            case Broker.RabbitMq:
                settings["ConnectionStrings__rabbitmq"] = TestServices.RequireRabbitMq();
                return new MessagingBroker(settings, null) { ConnectionStringKey = "ConnectionStrings__rabbitmq", Unreachable = "amqp://guest:guest@127.0.0.1:1/" };
            case Broker.Nats:
                settings["ConnectionStrings__nats"] = TestServices.RequireNats();
                return new MessagingBroker(settings, null) { ConnectionStringKey = "ConnectionStrings__nats", Unreachable = "nats://127.0.0.1:1" };
            default:
                // The mock cluster lives as long as the producer that created it; topics are auto-created (4 partitions).
                var config = new ProducerConfig { BootstrapServers = "mock" };
                config.Set("test.mock.num.brokers", "1");
                var owner = new ProducerBuilder<Null, Null>(config).Build();
                using (var admin = new DependentAdminClientBuilder(owner.Handle).Build())
                {
                    var broker = admin.GetMetadata(TimeSpan.FromSeconds(10)).Brokers.Single();
                    settings["ConnectionStrings__kafka"] = $"{broker.Host}:{broker.Port}";
                }

                // The mock cluster auto-creates topics and never answers CreateTopics; a real cluster is asked to create them.
                settings["Messaging__Kafka__CreateTopics"] = "false";

                return new MessagingBroker(settings, owner) { ConnectionStringKey = "ConnectionStrings__kafka", Unreachable = "127.0.0.1:1" };
        }
    }

    public ValueTask DisposeAsync()
    {
        _mockClusterOwner?.Dispose();
        return ValueTask.CompletedTask;
    }
}
