using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Company.Starter.Messaging.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace Company.Starter.Messaging.RabbitMq;

/// <summary>
/// <see cref="IMessageTransport"/> on RabbitMQ (RabbitMQ.Client 7, async API). A destination is a durable quorum queue
/// of that name, published to through the default exchange; its dead letters go to a second one, <c>&lt;name&gt;.dlq</c>.
/// </summary>
/// <remarks>
/// <para>
/// Publishing: persistent messages with <c>mandatory</c> set, on a channel with publisher confirms whose tracking makes
/// <c>BasicPublishAsync</c> return only after the broker's confirm; a nack or a returned (unroutable) message throws.
/// A quorum queue confirms a message once a majority of its replicas wrote it to disk.
/// </para>
/// <para>
/// Ordering: the queues are declared with <c>x-single-active-consumer</c>, so however many worker replicas subscribe,
/// one consumer at a time receives the queue, in queue order, and the next takes over (from the first unacknowledged
/// message) when it goes away. That keeps the order per key across replicas at the price of one active consumer per
/// destination; to scale out, split the events over more destinations.
/// </para>
/// </remarks>
public sealed partial class RabbitMqTransport(IOptions<RabbitMqOptions> options, ILogger<RabbitMqTransport> logger)
    : IMessageTransport, IAsyncDisposable
{
    /// <summary>The header that carries <see cref="TransportMessage.Key"/> (AMQP has no message key of its own).</summary>
    public const string KeyHeader = "message-key";

    // Set by quorum queues on a redelivery: how many times the message was delivered before.
    private const string DeliveryCountHeader = "x-delivery-count";

    // Added by the client to every message published with confirm tracking; not part of the message.
    private const string PublishSequenceHeader = "x-dotnet-pub-seq-no";

    private readonly RabbitMqOptions _options = options.Value;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ConcurrentDictionary<string, bool> _declared = new(StringComparer.Ordinal);
    private IConnection? _connection;
    private IChannel? _publisher;
    private int _disposed;

    public string System => "rabbitmq";

    public string DeadLetterDestination(string destination) => destination + ".dlq";

    public async Task PublishAsync(IReadOnlyList<TransportMessage> messages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (messages.Count == 0)
        {
            return;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.PublishTimeout);
        var channel = await GetPublisherAsync(timeout.Token);

        foreach (var destination in messages.Select(message => message.Destination).Distinct(StringComparer.Ordinal))
        {
            if (!_declared.ContainsKey(destination))
            {
                await DeclareAsync(channel, destination, timeout.Token);
                _declared[destination] = true;
            }
        }

        // Keys are independent of each other, so their messages go out concurrently and the confirms are awaited
        // together; a key's own messages go one after the other, each after the previous one's confirm, so the broker
        // cannot enqueue them out of order whatever the client does with concurrent publishes.
        var byKey = messages.GroupBy(message => (message.Destination, message.Key));
        try
        {
            await Task.WhenAll(byKey.Select(async group =>
            {
                foreach (var message in group)
                {
                    await PublishOneAsync(channel, message, timeout.Token);
                }
            }));
        }
        catch (PublishException exception) when (exception.IsReturn)
        {
            // Unroutable: the queue is gone (deleted behind our back). Declare it again on the next attempt.
            _declared.Clear();
            throw new InvalidOperationException(
                "RabbitMQ returned a message as unroutable (its queue does not exist); the batch was not delivered.", exception);
        }
        catch (PublishException exception)
        {
            throw new InvalidOperationException("RabbitMQ did not confirm a message (nack); the batch was not delivered.", exception);
        }
        catch (OperationCanceledException exception) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"RabbitMQ did not confirm the batch within {_options.PublishTimeout}.", exception);
        }
    }

    private static async Task PublishOneAsync(IChannel channel, TransportMessage message, CancellationToken cancellationToken)
    {
        var headers = new Dictionary<string, object?>(message.Headers.Count + 1, StringComparer.Ordinal);
        foreach (var (name, value) in message.Headers)
        {
            headers[name] = value;
        }

        headers[KeyHeader] = message.Key;
        var properties = new BasicProperties
        {
            DeliveryMode = DeliveryModes.Persistent,
            MessageId = message.MessageId,
            ContentType = message.Headers.TryGetValue("content-type", out var contentType) ? contentType : "application/json",
            Headers = headers,
        };

        // With confirm tracking on, this returns after the broker's ack and throws PublishException on a nack or return.
        await channel.BasicPublishAsync(
            exchange: string.Empty,
            routingKey: message.Destination,
            mandatory: true,
            basicProperties: properties,
            body: message.Body,
            cancellationToken: cancellationToken);
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

        var connection = await GetConnectionAsync(cancellationToken);
        // One dispatch at a time: deliveries reach the handler in queue order, never concurrently.
        var channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: false, publisherConfirmationTrackingEnabled: false, consumerDispatchConcurrency: 1),
            cancellationToken);
        var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // Held while a delivery is being handled and acknowledged, so the channel is not closed under an ack in flight.
        // Not disposed: a delivery dispatched while the channel closes may still come to wait on it (and then skip).
        var busy = new SemaphoreSlim(1, 1);
        try
        {
            await DeclareAsync(channel, destination, cancellationToken);
            await DeclareAsync(channel, DeadLetterDestination(destination), cancellationToken);
            await channel.BasicQosAsync(prefetchSize: 0, prefetchCount: _options.Prefetch, global: false, cancellationToken);

            channel.ChannelShutdownAsync += (_, reason) =>
            {
                // The broker or the network closed the channel: whatever was unacknowledged goes back to the queue, and
                // the subscription ends so the caller subscribes again on a fresh channel.
                if (reason.Initiator != ShutdownInitiator.Application)
                {
                    ended.TrySetException(new IOException($"The RabbitMQ channel of queue '{destination}' was closed: {reason.ReplyText} ({reason.ReplyCode})."));
                }

                return Task.CompletedTask;
            };

            var consumer = new AsyncEventingBasicConsumer(channel);
            consumer.ReceivedAsync += async (_, delivery) =>
            {
                await busy.WaitAsync(CancellationToken.None);
                try
                {
                    // After a failure, or once stopping, the prefetched deliveries are left unacknowledged: closing the
                    // channel requeues them, so they come back in order after the failed one.
                    if (ended.Task.IsCompleted || cancellationToken.IsCancellationRequested)
                    {
                        return;
                    }

                    await handle(ToReceived(destination, delivery), cancellationToken);
                    // Not cancellable: the effect has happened, and an ack left unsent only costs a redelivery.
                    await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false, CancellationToken.None);
                }
                catch (Exception exception)
                {
                    ended.TrySetException(exception);
                }
                finally
                {
                    busy.Release();
                }
            };

            var consumerTag = $"{consumerGroup}-{Environment.MachineName}-{Guid.NewGuid():N}";
            await channel.BasicConsumeAsync(destination, autoAck: false, consumerTag, consumer, cancellationToken);
            LogSubscribed(logger, destination, consumerTag);

            await ended.Task.WaitAsync(cancellationToken);
        }
        finally
        {
            // Let the delivery being handled finish (the handler sees the cancellation) and its ack go out first; then
            // closing the channel hands every unacknowledged delivery back to the queue for the next consumer.
            ended.TrySetResult();
            await busy.WaitAsync(CancellationToken.None);
            busy.Release();
            await CloseQuietlyAsync(channel);
        }
    }

    private static ReceivedMessage ToReceived(string queue, BasicDeliverEventArgs delivery)
    {
        var properties = delivery.BasicProperties;
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        var key = string.Empty;
        var deliveryCount = delivery.Redelivered ? 2 : 1;
        if (properties.Headers is { } raw)
        {
            foreach (var (name, value) in raw)
            {
                switch (name)
                {
                    case KeyHeader:
                        key = HeaderText(value);
                        break;
                    case DeliveryCountHeader when value is long or int:
                        deliveryCount = Convert.ToInt32(value, CultureInfo.InvariantCulture) + 1;
                        break;
                    case DeliveryCountHeader or PublishSequenceHeader:
                        break;
                    default:
                        headers[name] = HeaderText(value);
                        break;
                }
            }
        }

        var message = new TransportMessage(
            queue,
            key,
            properties.MessageId ?? string.Empty,
            // The delivery's body is a pooled buffer, valid only during the callback.
            delivery.Body.ToArray(),
            headers);

        var coordinates = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["messaging.destination.name"] = queue,
            ["messaging.rabbitmq.delivery_tag"] = delivery.DeliveryTag.ToString(CultureInfo.InvariantCulture),
            ["messaging.rabbitmq.destination.routing_key"] = delivery.RoutingKey,
        };

        return new ReceivedMessage(message, coordinates, deliveryCount);
    }

    // AMQP carries string headers as byte arrays (long strings); the client hands them back as byte[].
    private static string HeaderText(object? value) => value switch
    {
        null => string.Empty,
        byte[] bytes => Encoding.UTF8.GetString(bytes),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };

    private static Task DeclareAsync(IChannel channel, string queue, CancellationToken cancellationToken) =>
        // Idempotent: declaring an existing queue with the same arguments is a no-op. Quorum queues are replicated,
        // durable and count deliveries (x-delivery-count); single-active-consumer keeps the order across replicas.
        channel.QueueDeclareAsync(
            queue,
            durable: true,
            exclusive: false,
            autoDelete: false,
            arguments: new Dictionary<string, object?>
            {
                ["x-queue-type"] = "quorum",
                ["x-single-active-consumer"] = true,
            },
            cancellationToken: cancellationToken);

    /// <summary>Whether the connection is open (opening it if it was not yet): the readiness check's question.</summary>
    public async Task<bool> IsConnectedAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.ConnectTimeout);
        var connection = await GetConnectionAsync(timeout.Token);
        return connection.IsOpen;
    }

    private async Task<IChannel> GetPublisherAsync(CancellationToken cancellationToken)
    {
        if (_publisher is { IsOpen: true } current)
        {
            return current;
        }

        var connection = await GetConnectionAsync(cancellationToken);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_publisher is { IsOpen: true } raced)
            {
                return raced;
            }

            // A channel-level error (a declare that conflicts with the queue's arguments, say) closes the channel for
            // good, unlike a lost connection, which automatic recovery reopens: replace it.
            if (_publisher is not null)
            {
                await CloseQuietlyAsync(_publisher);
            }

            _publisher = await connection.CreateChannelAsync(
                new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true),
                cancellationToken);
            return _publisher;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<IConnection> GetConnectionAsync(CancellationToken cancellationToken)
    {
        if (_connection is { } connection)
        {
            return connection;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_connection is null)
            {
                // One connection per process; automatic recovery reopens it, its channels and consumers after a network
                // failure. The first connect is made here, on demand, so a broker that is down delays publishing (the
                // outbox keeps the events) instead of failing the host's start.
                var factory = new ConnectionFactory
                {
                    Uri = new Uri(_options.ConnectionString!),
                    AutomaticRecoveryEnabled = true,
                    TopologyRecoveryEnabled = true,
                    RequestedConnectionTimeout = _options.ConnectTimeout,
                    ClientProvidedName = $"{AppDomain.CurrentDomain.FriendlyName}@{Environment.MachineName}",
                };
                _connection = await factory.CreateConnectionAsync(cancellationToken);
            }

            return _connection;
        }
        catch (BrokerUnreachableException exception)
        {
            throw new InvalidOperationException($"RabbitMQ at {Redact(_options.ConnectionString)} is unreachable.", exception);
        }
        finally
        {
            _gate.Release();
        }
    }

    private static string Redact(string? uri) =>
        Uri.TryCreate(uri, UriKind.Absolute, out var parsed) ? $"{parsed.Scheme}://{parsed.Host}:{parsed.Port}{parsed.AbsolutePath}" : "(invalid URI)";

    private async Task CloseQuietlyAsync(IChannel channel)
    {
        try
        {
            await channel.CloseAsync();
        }
        catch (Exception exception) when (exception is AlreadyClosedException or OperationInterruptedException or IOException or ObjectDisposedException)
        {
            // Already closed by the broker or the network: the broker has requeued its deliveries all the same.
            LogCloseFailed(logger, exception);
        }
        finally
        {
            channel.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Registered as itself and as IMessageTransport (a factory registration), so the container disposes it twice;
        // a second CloseAsync on the disposed connection would throw ObjectDisposedException out of the host's disposal.
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        if (_publisher is not null)
        {
            await CloseQuietlyAsync(_publisher);
        }

        if (_connection is not null)
        {
            try
            {
                await _connection.CloseAsync();
            }
            catch (AlreadyClosedException exception)
            {
                LogCloseFailed(logger, exception);
            }

            _connection.Dispose();
        }

        _gate.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Consuming RabbitMQ queue {Queue} as {ConsumerTag}")]
    private static partial void LogSubscribed(ILogger logger, string queue, string consumerTag);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Closing a RabbitMQ channel or connection that was already closed")]
    private static partial void LogCloseFailed(ILogger logger, Exception exception);
}
