using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Company.Starter.Testing;
using DotNet.Testcontainers.Builders;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Net;

namespace Company.Starter.Messaging.Tests;

// NATS's test broker (Kafka/ and RabbitMq/BrokerServer.cs have the same members): the template keeps the file of the
// broker the solution was made with.

/// <summary>
/// The NATS server (with JetStream) the tests run against: <c>COMPANY_STARTER_TEST_NATS</c> (a URL, e.g.
/// <c>nats://localhost:4222</c>; the server must run with <c>-js</c>), else a container when Docker is there, else the
/// tests skip with a reason naming the variable. Each test gets subjects of its own; their streams are deleted when the
/// test run ends, so a long-lived server does not collect them run after run.
/// </summary>
public sealed class BrokerServer : IAsyncDisposable
{
    public const string Variable = "COMPANY_STARTER_TEST_NATS";

    private const int NatsPort = 4222;

    private readonly ExternalService _nats = new(Variable, "NATS with JetStream (e.g. nats://localhost:4222)", async cancellationToken =>
    {
        // No Testcontainers module for NATS: the official image, with JetStream switched on.
        var container = new ContainerBuilder("nats:2-alpine")
            .WithCommand("-js")
            .WithPortBinding(NatsPort, assignRandomHostPort: true)
            .WithWaitStrategy(Wait.ForUnixContainer().UntilMessageIsLogged("Server is ready"))
            .Build();
        await container.StartAsync(cancellationToken);
        return ($"nats://{container.Hostname}:{container.GetMappedPublicPort(NatsPort)}", container);
    });

    private readonly ConcurrentBag<string> _destinations = [];

    /// <summary>The server's URL; skips the calling test when no NATS can be had.</summary>
    public Task<string> GetConnectionStringAsync(CancellationToken cancellationToken = default) =>
        _nats.GetConnectionStringAsync(cancellationToken);

    /// <summary>
    /// Settings that point an app (API or worker) at the server, with a destination and a consumer group no other test uses.
    /// </summary>
    public async Task<Dictionary<string, string?>> CreateSettingsAsync(CancellationToken cancellationToken = default)
    {
        var connectionString = await GetConnectionStringAsync(cancellationToken);
        var id = Guid.NewGuid().ToString("N")[..12];
        return new Dictionary<string, string?>
        {
            ["ConnectionStrings:nats"] = connectionString,
            ["Messaging:OrdersDestination"] = NewDestination($"orders-{id}"),
            ["Messaging:ConsumerGroup"] = $"receipts-{id}",
        };
    }

    /// <summary>A subject no other test uses; its streams (events and dead letters) are deleted at the end of the run.</summary>
    public string NewDestination(string? name = null)
    {
        var destination = name ?? $"test-{Guid.NewGuid():N}"[..17];
        _destinations.Add(destination);
        return destination;
    }

    /// <summary>A NATS URL nobody listens on: a loopback port that was free a moment ago (connections refused).</summary>
    public static string UnreachableConnectionString()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return $"nats://127.0.0.1:{port}";
    }

    public async ValueTask DisposeAsync()
    {
        if (!_destinations.IsEmpty && Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } url)
        {
            await DeleteStreamsAsync(url);
        }

        await _nats.DisposeAsync();
    }

    private async Task DeleteStreamsAsync(string url)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var connection = new NatsConnection(NatsOpts.Default with { Url = url });
        var jetStream = connection.CreateJetStreamContext();
        foreach (var destination in _destinations.Distinct())
        {
            foreach (var stream in new[] { destination, destination + "_DLQ" })
            {
                try
                {
                    await jetStream.DeleteStreamAsync(stream, timeout.Token);
                }
                catch (NatsJSApiException e) when (e.Error.Code == 404)
                {
                    // Never created: the test did not get as far as publishing or subscribing to it.
                }
            }
        }
    }
}
