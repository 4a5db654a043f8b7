using System.Collections.Concurrent;
using System.Globalization;
using Company.Starter.Messaging.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using NATS.Net;

namespace Company.Starter.Messaging.Nats;

/// <summary>
/// <see cref="IMessageTransport"/> on NATS JetStream (NATS.Net). A destination is a subject with a stream of its own
/// (file storage, named after it); its dead letters are the subject <c>&lt;name&gt;.dlq</c> in a second stream,
/// <c>&lt;name&gt;_DLQ</c>. Two streams, not one with two subjects, because JetStream de-duplicates per stream: a dead
/// letter keeps its event's message id and would otherwise be dropped as a duplicate of the original.
/// </summary>
/// <remarks>
/// <para>
/// Publishing: each message carries its id as <c>Nats-Msg-Id</c>, and the publish returns after the stream's PubAck.
/// Within the duplicate window the stream stores a message id once, so a batch published again after a relay crash is
/// acknowledged (as a duplicate) without a second copy.
/// </para>
/// <para>
/// Ordering: one durable pull consumer per destination and consumer group, with explicit acks and at most one
/// unacknowledged message (<c>MaxAckPending = 1</c>). However many worker replicas pull, the server hands out the next
/// message only after the previous one was acked, and redelivers a failed or abandoned one before anything after it,
/// so the order holds across replicas and crashes. Handling costs a round trip per message, small beside the handler's
/// own database transaction; to scale out, split the events over more destinations.
/// </para>
/// </remarks>
public sealed partial class NatsTransport : IMessageTransport, IAsyncDisposable
{
    /// <summary>The header that carries <see cref="TransportMessage.Key"/> (NATS has no message key of its own).</summary>
    public const string KeyHeader = "message-key";

    private const string MessageIdHeader = "Nats-Msg-Id";
    private const string DeadLetterSuffix = ".dlq";

    // How long one pull waits for a message before the loop asks again (and notices cancellation between pulls).
    private static readonly TimeSpan PullExpiry = TimeSpan.FromSeconds(5);

    private readonly NatsOptions _options;
    private readonly ILogger<NatsTransport> _logger;
    private readonly NatsConnection _connection;
    private readonly NatsJSContext _jetStream;
    private readonly ConcurrentDictionary<string, bool> _streams = new(StringComparer.Ordinal);
    private int _disposed;

    public NatsTransport(IOptions<NatsOptions> options, ILogger<NatsTransport> logger)
    {
        _options = options.Value;
        _logger = logger;
        // Connects on first use, and reconnects (and resubscribes) by itself after a network failure.
        _connection = new NatsConnection(NatsOpts.Default with
        {
            Url = _options.ConnectionString!,
            Name = $"{AppDomain.CurrentDomain.FriendlyName}@{Environment.MachineName}",
            ConnectTimeout = _options.ConnectTimeout,
        });
        _jetStream = (NatsJSContext)_connection.CreateJetStreamContext();
    }

    public string System => "nats";

    public string DeadLetterDestination(string destination) => destination + DeadLetterSuffix;

    public async Task PublishAsync(IReadOnlyList<TransportMessage> messages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (messages.Count == 0)
        {
            return;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.PublishTimeout);
        try
        {
            // ConnectAsync takes no token and, while the client reconnects, waits until it has: bounded here, a publish
            // during an outage fails after PublishTimeout (the relay records it and backs off) and a stopping worker
            // does not hang on it.
            await _connection.ConnectAsync().AsTask().WaitAsync(timeout.Token);
            foreach (var subject in messages.Select(message => message.Destination).Distinct(StringComparer.Ordinal))
            {
                await EnsureStreamAsync(subject, timeout.Token);
            }

            // Keys are independent of each other, so their messages go out concurrently; a key's own messages go one
            // after the other, each after the previous one's PubAck, so the stream stores them in order.
            await Task.WhenAll(messages.GroupBy(message => (message.Destination, message.Key)).Select(async group =>
            {
                foreach (var message in group)
                {
                    var ack = await _jetStream.PublishAsync(
                        message.Destination,
                        message.Body,
                        opts: new NatsJSPubOpts { MsgId = message.MessageId },
                        headers: ToHeaders(message),
                        cancellationToken: timeout.Token);

                    // A duplicate is a success: the stream already holds this message id (a batch published again).
                    if (!ack.Duplicate)
                    {
                        ack.EnsureSuccess();
                    }
                }
            }));
        }
        catch (OperationCanceledException exception) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"NATS JetStream did not acknowledge the batch within {_options.PublishTimeout}.", exception);
        }
        catch (NatsException exception) when (exception is not NatsJSException)
        {
            throw new InvalidOperationException($"NATS at {Redact(_options.ConnectionString)} is unreachable.", exception);
        }
    }

    public async Task SubscribeAsync(
        string destination,
        string consumerGroup,
        Func<ReceivedMessage, CancellationToken, Task> handle,
        CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(destination);
        ArgumentException.ThrowIfNullOrEmpty(consumerGroup);
        ArgumentNullException.ThrowIfNull(handle);

        var stream = await EnsureStreamAsync(destination, cancellationToken);
        var consumer = await _jetStream.CreateOrUpdateConsumerAsync(
            stream,
            new ConsumerConfig(consumerGroup)
            {
                FilterSubject = destination,
                DeliverPolicy = ConsumerConfigDeliverPolicy.All,
                AckPolicy = ConsumerConfigAckPolicy.Explicit,
                AckWait = _options.AckWait,
                // One message in flight per consumer across every replica: what keeps the order (see the remarks).
                MaxAckPending = 1,
                // Unlimited: retries and dead letters are the handler's business, not the server's.
                MaxDeliver = -1,
            },
            cancellationToken);
        LogSubscribed(_logger, destination, stream, consumerGroup);

        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var next = await consumer.NextAsync<byte[]>(opts: new NatsJSNextOpts { Expires = PullExpiry }, cancellationToken: cancellationToken);
            if (next is not { } message)
            {
                continue;
            }

            try
            {
                await handle(ToReceived(stream, message), cancellationToken);
            }
            catch
            {
                // Handed back at once (not after the ack wait), so the next subscriber starts with it. Not cancellable:
                // if even this fails, the ack wait brings it back all the same.
                await message.NakAsync(cancellationToken: CancellationToken.None);
                throw;
            }

            // Not cancellable: the effect has happened, and an ack left unsent only costs a redelivery.
            await message.AckAsync(cancellationToken: CancellationToken.None);
        }
    }

    /// <summary>A round trip to the server (connecting first if need be): the readiness check's question.</summary>
    public async Task<TimeSpan> PingAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.ConnectTimeout);
        await _connection.ConnectAsync().AsTask().WaitAsync(timeout.Token);
        return await _connection.PingAsync(timeout.Token);
    }

    private static NatsHeaders ToHeaders(TransportMessage message)
    {
        var headers = new NatsHeaders();
        foreach (var (name, value) in message.Headers)
        {
            // A NATS header is one line: a value with line breaks (an error with a stack trace) would end the headers.
            headers[name] = value.ReplaceLineEndings(" ");
        }

        headers[KeyHeader] = message.Key;
        return headers;
    }

    private static ReceivedMessage ToReceived(string stream, INatsJSMsg<byte[]> message)
    {
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        var key = string.Empty;
        var messageId = string.Empty;
        if (message.Headers is { } raw)
        {
            foreach (var (name, values) in raw)
            {
                switch (name)
                {
                    case KeyHeader:
                        key = values.ToString();
                        break;
                    case MessageIdHeader:
                        messageId = values.ToString();
                        break;
                    default:
                        headers[name] = values.ToString();
                        break;
                }
            }
        }

        var metadata = message.Metadata;
        var coordinates = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["messaging.destination.name"] = message.Subject,
            ["nats.stream"] = stream,
        };
        if (metadata is { } known)
        {
            coordinates["nats.sequence"] = known.Sequence.Stream.ToString(CultureInfo.InvariantCulture);
        }

        var transportMessage = new TransportMessage(message.Subject, key, messageId, message.Data ?? [], headers);
        var deliveryCount = metadata is { NumDelivered: > 0 } counted ? (int)Math.Min(counted.NumDelivered, int.MaxValue) : 1;
        return new ReceivedMessage(transportMessage, coordinates, deliveryCount);
    }

    private async Task<string> EnsureStreamAsync(string subject, CancellationToken cancellationToken)
    {
        var stream = StreamName(subject);
        if (_streams.ContainsKey(stream))
        {
            return stream;
        }

        // Idempotent: creates the stream, or updates it to this configuration.
        await _jetStream.CreateOrUpdateStreamAsync(
            new StreamConfig(stream, [subject])
            {
                Storage = StreamConfigStorage.File,
                Retention = StreamConfigRetention.Limits,
                DuplicateWindow = _options.DuplicateWindow,
                MaxAge = _options.MaxAge,
            },
            cancellationToken);
        _streams[stream] = true;
        return stream;
    }

    // A destination is lower-case (Messaging:OrdersDestination), so the upper-case suffix cannot meet another destination's stream.
    private static string StreamName(string subject) =>
        subject.EndsWith(DeadLetterSuffix, StringComparison.Ordinal) ? subject[..^DeadLetterSuffix.Length] + "_DLQ" : subject;

    private static string Redact(string? url) =>
        Uri.TryCreate(url?.Split(',')[0], UriKind.Absolute, out var parsed) ? $"{parsed.Scheme}://{parsed.Host}:{parsed.Port}" : "(invalid URL)";

    public ValueTask DisposeAsync() =>
        // Registered as itself and as IMessageTransport (a factory registration), so the container disposes it twice.
        Interlocked.Exchange(ref _disposed, 1) == 1 ? ValueTask.CompletedTask : _connection.DisposeAsync();

    [LoggerMessage(Level = LogLevel.Information, Message = "Consuming NATS subject {Subject} (stream {Stream}) as durable consumer {Consumer}")]
    private static partial void LogSubscribed(ILogger logger, string subject, string stream, string consumer);
}
