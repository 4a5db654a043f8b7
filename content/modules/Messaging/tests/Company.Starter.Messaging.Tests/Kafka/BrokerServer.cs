using System.Net;
using System.Net.Sockets;
using Confluent.Kafka;

namespace Company.Starter.Messaging.Tests;

// Kafka's test broker (RabbitMq/ and Nats/BrokerServer.cs have the same members): the template keeps the file of the
// broker the solution was made with.

/// <summary>
/// The Kafka the tests run against: <c>COMPANY_STARTER_TEST_KAFKA</c> (bootstrap servers of a real cluster, e.g.
/// <c>localhost:9092</c>, whose brokers auto-create topics or let the app create them), else librdkafka's mock cluster
/// started in this process. The mock cluster speaks the real Kafka protocol over TCP on a loopback port, so the
/// transport's producer, consumer groups, offsets and headers are exercised exactly as against a broker; it needs
/// neither Docker nor a download. Each test gets a topic and a consumer group of its own.
/// </summary>
public sealed class BrokerServer : IAsyncDisposable
{
    public const string Variable = "COMPANY_STARTER_TEST_KAFKA";

    private readonly SemaphoreSlim _gate = new(1, 1);

    // The mock cluster lives as long as the client that started it: kept until the test run ends.
    private IProducer<Null, Null>? _mockClusterOwner;
    private string? _bootstrapServers;
    private string? _skipReason;

    /// <summary>True when the tests run on librdkafka's mock cluster (no variable set), false on a real cluster.</summary>
    public bool IsMockCluster => _mockClusterOwner is not null;

    /// <summary>The bootstrap servers; skips the calling test when the configured cluster does not answer.</summary>
    public async Task<string> GetBootstrapServersAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_bootstrapServers is null && _skipReason is null)
            {
                if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } configured)
                {
                    _skipReason = Probe(configured);
                    _bootstrapServers = _skipReason is null ? configured : null;
                }
                else
                {
                    _bootstrapServers = StartMockCluster();
                }
            }
        }
        finally
        {
            _gate.Release();
        }

        Assert.SkipWhen(_skipReason is not null, _skipReason ?? string.Empty);
        return _bootstrapServers!;
    }

    /// <summary>
    /// Settings that point an app (API or worker) at the broker, with a topic and a consumer group no other test uses.
    /// </summary>
    public async Task<Dictionary<string, string?>> CreateSettingsAsync(CancellationToken cancellationToken = default)
    {
        var bootstrapServers = await GetBootstrapServersAsync(cancellationToken);
        var id = Guid.NewGuid().ToString("N")[..12];
        return new Dictionary<string, string?>
        {
            ["ConnectionStrings:kafka"] = bootstrapServers,
            ["Messaging:OrdersDestination"] = $"orders-{id}",
            ["Messaging:ConsumerGroup"] = $"receipts-{id}",
            // The mock cluster auto-creates topics on first use and never answers CreateTopics (the admin call hangs).
            ["Messaging:Kafka:CreateTopics"] = IsMockCluster ? "false" : "true",
        };
    }

    /// <summary>Bootstrap servers nobody listens on: a loopback port that was free a moment ago (connections refused).</summary>
    public static string UnreachableBootstrapServers()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return $"127.0.0.1:{port}";
    }

    private string StartMockCluster()
    {
        var config = new ProducerConfig { BootstrapServers = "mock" };
        config.Set("test.mock.num.brokers", "1");
        _mockClusterOwner = new ProducerBuilder<Null, Null>(config).Build();

        // The mock broker listens on a port of its own choosing: its metadata names it.
        using var admin = new DependentAdminClientBuilder(_mockClusterOwner.Handle).Build();
        var broker = admin.GetMetadata(TimeSpan.FromSeconds(10)).Brokers.Single();
        return $"{broker.Host}:{broker.Port}";
    }

    private static string? Probe(string bootstrapServers)
    {
        try
        {
            // The failure is the skip reason: librdkafka's own connection errors on stderr would only repeat it.
            using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrapServers })
                .SetLogHandler((_, _) => { })
                .Build();
            return admin.GetMetadata(TimeSpan.FromSeconds(10)).Brokers.Count > 0
                ? null
                : $"The Kafka cluster at {bootstrapServers} ({Variable}) named no brokers.";
        }
        catch (KafkaException e)
        {
            return $"The Kafka cluster at {bootstrapServers} ({Variable}) did not answer: {e.Error.Reason}. Start it, or unset {Variable} to test on librdkafka's mock cluster.";
        }
    }

    public ValueTask DisposeAsync()
    {
        _mockClusterOwner?.Dispose();
        _gate.Dispose();
        return ValueTask.CompletedTask;
    }
}
