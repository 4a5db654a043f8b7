using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Company.Starter.Testing;
using RabbitMQ.Client;
using Testcontainers.RabbitMq;

namespace Company.Starter.Messaging.Tests;

// RabbitMQ's test broker (Kafka/ and Nats/BrokerServer.cs have the same members): the template keeps the file of the
// broker the solution was made with.

/// <summary>
/// The RabbitMQ the tests run against: <c>COMPANY_STARTER_TEST_RABBITMQ</c> (an AMQP URI, e.g.
/// <c>amqp://guest:guest@localhost:5672/</c>), else a container when Docker is there, else the tests skip with a reason
/// naming the variable. Each test gets queues of its own, deleted when the test run ends (quorum queues hold a replica
/// process each on the broker, so leaving them behind would pile up run after run).
/// </summary>
public sealed class BrokerServer : IAsyncDisposable
{
    public const string Variable = "COMPANY_STARTER_TEST_RABBITMQ";

    private readonly ExternalService _rabbitMq = new(Variable, "RabbitMQ (e.g. amqp://guest:guest@localhost:5672/)", async cancellationToken =>
    {
        var container = new RabbitMqBuilder("rabbitmq:4-alpine").Build();
        await container.StartAsync(cancellationToken);
        return (container.GetConnectionString(), container);
    });

    private readonly ConcurrentBag<string> _destinations = [];

    /// <summary>The AMQP URI; skips the calling test when no RabbitMQ can be had.</summary>
    public Task<string> GetConnectionStringAsync(CancellationToken cancellationToken = default) =>
        _rabbitMq.GetConnectionStringAsync(cancellationToken);

    /// <summary>
    /// Settings that point an app (API or worker) at the broker, with a destination and a consumer group no other test uses.
    /// </summary>
    public async Task<Dictionary<string, string?>> CreateSettingsAsync(CancellationToken cancellationToken = default)
    {
        var connectionString = await GetConnectionStringAsync(cancellationToken);
        var id = Guid.NewGuid().ToString("N")[..12];
        return new Dictionary<string, string?>
        {
            ["ConnectionStrings:rabbitmq"] = connectionString,
            ["Messaging:OrdersDestination"] = NewDestination($"orders-{id}"),
            ["Messaging:ConsumerGroup"] = $"receipts-{id}",
        };
    }

    /// <summary>A queue name no other test uses, deleted (with its dead-letter queue) at the end of the run.</summary>
    public string NewDestination(string? name = null)
    {
        var destination = name ?? $"test-{Guid.NewGuid():N}"[..17];
        _destinations.Add(destination);
        return destination;
    }

    /// <summary>An AMQP URI nobody listens on: a loopback port that was free a moment ago (connections refused).</summary>
    public static string UnreachableConnectionString()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return $"amqp://guest:guest@127.0.0.1:{port}/";
    }

    public async ValueTask DisposeAsync()
    {
        if (!_destinations.IsEmpty && Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } connectionString)
        {
            await DeleteQueuesAsync(connectionString);
        }

        await _rabbitMq.DisposeAsync();
    }

    private async Task DeleteQueuesAsync(string connectionString)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var connection = await new ConnectionFactory { Uri = new Uri(connectionString) }.CreateConnectionAsync(timeout.Token);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: timeout.Token);
        foreach (var destination in _destinations.Distinct())
        {
            await channel.QueueDeleteAsync(destination, ifUnused: false, ifEmpty: false, cancellationToken: timeout.Token);
            await channel.QueueDeleteAsync(destination + ".dlq", ifUnused: false, ifEmpty: false, cancellationToken: timeout.Token);
        }
    }
}
