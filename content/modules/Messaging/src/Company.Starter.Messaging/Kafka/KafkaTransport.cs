using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Company.Starter.Messaging.Transport;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Company.Starter.Messaging.Kafka;

/// <summary>
/// <see cref="IMessageTransport"/> on Kafka. One idempotent producer with <c>acks=all</c> serves the process: a publish
/// returns once every message is on all in-sync replicas, and the broker's de-duplication of producer retries keeps each
/// partition in publish order. Each subscription is a consumer of its own in the group: it stores a message's offset
/// only after the handler returned, and the stored offsets are committed in the background and when the consumer
/// closes, so a crash redelivers what was not handled (and at most the last few seconds of what was: the inbox
/// absorbs those).
/// </summary>
/// <remarks>
/// Offsets: auto-commit of explicitly stored offsets (<c>enable.auto.commit=true</c>, <c>enable.auto.offset.store=false</c>)
/// rather than a synchronous <c>Commit</c> per message, which would cost a round trip to the group coordinator for every
/// message. What a commit per message would save (redelivering handled messages after a crash) the inbox already makes
/// harmless.
/// </remarks>
public sealed partial class KafkaTransport : IMessageTransport, IDisposable
{
    /// <summary>The header that carries <see cref="TransportMessage.MessageId"/>: the CloudEvents binary-mode id attribute.</summary>
    private const string MessageIdHeader = "ce_id";

    private readonly KafkaOptions _options;
    private readonly ILogger<KafkaTransport> _logger;
    private readonly IProducer<string, byte[]> _producer;
    private readonly ConcurrentDictionary<string, Lazy<Task>> _topics = new(StringComparer.Ordinal);
    private int _disposed;

    public KafkaTransport(IOptions<KafkaOptions> options, ILogger<KafkaTransport> logger)
    {
        _options = options.Value;
        _logger = logger;
        _producer = new ProducerBuilder<string, byte[]>(CreateProducerConfig(_options))
            .SetLogHandler((_, message) => Log(message))
            .SetErrorHandler((_, error) =>
            {
                FatalError ??= error.IsFatal ? error : null;
                LogError(error);
            })
            .Build();
    }

    public string System => "kafka";

    /// <summary>The producer's handle, for admin requests on its connections (the readiness check).</summary>
    internal Handle Handle => _producer.Handle;

    internal KafkaOptions Options => _options;

    /// <summary>
    /// The fatal error the producer stopped on, if any: an idempotent producer that lost its guarantees (e.g. an
    /// out-of-order sequence) refuses every later message, and only a new process starts a new one. The readiness check
    /// reports it so the orchestrator restarts the worker.
    /// </summary>
    internal Error? FatalError { get; private set; }

    public string DeadLetterDestination(string destination) => destination + ".dlq";

    public async Task PublishAsync(IReadOnlyList<TransportMessage> messages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (messages.Count == 0)
        {
            return;
        }

        await EnsureTopicsAsync(messages.Select(message => message.Destination).Distinct(StringComparer.Ordinal), cancellationToken);

        // Produce enqueues synchronously, so the messages leave in list order; the idempotent producer keeps that order
        // per partition through retries. Every delivery report is awaited: a batch is confirmed only when all are.
        var deliveries = new Task<DeliveryReport<string, byte[]>>[messages.Count];
        for (var i = 0; i < messages.Count; i++)
        {
            var delivery = new TaskCompletionSource<DeliveryReport<string, byte[]>>(TaskCreationOptions.RunContinuationsAsynchronously);
            _producer.Produce(messages[i].Destination, ToKafkaMessage(messages[i]), report => delivery.SetResult(report));
            deliveries[i] = delivery.Task;
        }

        // Cancelling stops the wait, not the deliveries: the caller publishes the batch again and consumers absorb repeats.
        var reports = await Task.WhenAll(deliveries).WaitAsync(cancellationToken);
        var failed = reports.Where(report => report.Error.IsError).ToList();
        if (failed.Count > 0)
        {
            var first = failed[0];
            throw new KafkaException(new Error(
                first.Error.Code,
                $"Kafka did not confirm {failed.Count} of {reports.Length} messages (the first, to {first.Topic}: {first.Error.Reason})."));
        }
    }

    public Task SubscribeAsync(
        string destination,
        string consumerGroup,
        Func<ReceivedMessage, CancellationToken, Task> handle,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handle);
        return SubscribeBatchesAsync(destination, consumerGroup, maxBatchSize: 1, (batch, ct) => handle(batch[0], ct), cancellationToken);
    }

    public async Task SubscribeBatchesAsync(
        string destination,
        string consumerGroup,
        int maxBatchSize,
        Func<IReadOnlyList<ReceivedMessage>, CancellationToken, Task> handle,
        CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(destination);
        ArgumentException.ThrowIfNullOrWhiteSpace(consumerGroup);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatchSize, 1);
        ArgumentNullException.ThrowIfNull(handle);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

        await EnsureTopicsAsync([destination], cancellationToken);

        // Consume blocks until a message arrives: the loop gets a thread of its own instead of a pool thread.
        await Task.Factory.StartNew(
            () => Consume(destination, consumerGroup, maxBatchSize, handle, cancellationToken),
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
    }

    private void Consume(
        string destination,
        string consumerGroup,
        int maxBatchSize,
        Func<IReadOnlyList<ReceivedMessage>, CancellationToken, Task> handle,
        CancellationToken cancellationToken)
    {
        using var consumer = new ConsumerBuilder<string, byte[]>(CreateConsumerConfig(_options, consumerGroup))
            .SetLogHandler((_, message) => Log(message))
            .SetErrorHandler((_, error) => LogError(error))
            .Build();
        consumer.Subscribe(destination);
        var results = new List<ConsumeResult<string, byte[]>>(maxBatchSize);
        try
        {
            while (true)
            {
                results.Clear();

                // The first message is waited for; the rest of the batch is only what librdkafka has already fetched
                // (a zero timeout never waits), so a batch never delays a message to fill itself up.
                if (Next(consumer, destination, TimeSpan.MaxValue, cancellationToken) is not { } first)
                {
                    continue;
                }

                results.Add(first);
                while (results.Count < maxBatchSize && Next(consumer, destination, TimeSpan.Zero, cancellationToken) is { } next)
                {
                    results.Add(next);
                }

                // A fresh list per batch: the handler may keep it (e.g. in a log scope) past the next Consume.
                var batch = results.ConvertAll(result => ToReceivedMessage(result, consumerGroup));

                // This thread is the consumer's and nothing else's, so waiting for the handler here is what keeps one
                // batch at a time, and each batch in consume order: in order per partition.
                handle(batch, cancellationToken).GetAwaiter().GetResult();

                // Only now may the offsets move past the batch's messages; the background commit (and Close) sends them.
                foreach (var result in results)
                {
                    consumer.StoreOffset(result);
                }
            }
        }
        finally
        {
            // Leaving the group commits the offsets stored so far and hands the partitions over at once, instead of
            // after the session timeout. A batch whose handler threw was not stored: the next subscriber gets it again.
            consumer.Close();
        }
    }

    /// <summary>
    /// The next message within <paramref name="timeout"/> (<see cref="TimeSpan.MaxValue"/>: until one comes or the
    /// subscription is cancelled), or null: nothing came, or an error librdkafka recovers from itself (a topic not created
    /// yet, a broker restarting), which is logged.
    /// </summary>
    private ConsumeResult<string, byte[]>? Next(IConsumer<string, byte[]> consumer, string destination, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            var result = timeout == TimeSpan.MaxValue ? consumer.Consume(cancellationToken) : consumer.Consume(timeout);
            return result?.Message is null ? null : result;
        }
        catch (ConsumeException e) when (!e.Error.IsFatal)
        {
            LogConsumeError(destination, e.Error.Code, e.Error.Reason);
            return null;
        }
    }

    private static Message<string, byte[]> ToKafkaMessage(TransportMessage message)
    {
        var headers = new Headers();
        foreach (var (name, value) in message.Headers)
        {
            headers.Add(name, Encoding.UTF8.GetBytes(value));
        }

        if (!message.Headers.ContainsKey(MessageIdHeader))
        {
            headers.Add(MessageIdHeader, Encoding.UTF8.GetBytes(message.MessageId));
        }

        return new Message<string, byte[]> { Key = message.Key, Value = message.Body.ToArray(), Headers = headers };
    }

    private static ReceivedMessage ToReceivedMessage(ConsumeResult<string, byte[]> result, string consumerGroup)
    {
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var header in result.Message.Headers ?? [])
        {
            // Kafka allows a header without a value; reading it as text would throw here, before the pipeline, and
            // the subscription would restart on the same offset forever. No value reads as the empty string.
            headers[header.Key] = header.GetValueBytes() is { } value ? Encoding.UTF8.GetString(value) : string.Empty;
        }

        var partition = result.Partition.Value.ToString(CultureInfo.InvariantCulture);
        var offset = result.Offset.Value.ToString(CultureInfo.InvariantCulture);
        var coordinates = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["messaging.destination.name"] = result.Topic,
            ["messaging.destination.partition.id"] = partition,
            ["messaging.kafka.offset"] = offset,
            ["messaging.consumer.group.name"] = consumerGroup,
        };
        if (result.Message.Key is { } key)
        {
            coordinates["messaging.kafka.message.key"] = key;
        }

        // A message from a producer that set no id is still identified the same on every delivery: by where it is kept.
        var messageId = headers.TryGetValue(MessageIdHeader, out var id) && id.Length > 0 ? id : $"{result.Topic}/{partition}/{offset}";
        var message = new TransportMessage(result.Topic, result.Message.Key ?? string.Empty, messageId, result.Message.Value ?? [], headers);
        return new ReceivedMessage(message, coordinates, DeliveryCount: 1);
    }

    /// <summary>Creates the topics once per process when <see cref="KafkaOptions.CreateTopics"/> is on.</summary>
    private async Task EnsureTopicsAsync(IEnumerable<string> topics, CancellationToken cancellationToken)
    {
        if (!_options.CreateTopics)
        {
            return;
        }

        foreach (var topic in topics)
        {
            var creation = _topics.GetOrAdd(topic, name => new Lazy<Task>(() => CreateTopicAsync(name)));
            try
            {
                await creation.Value.WaitAsync(cancellationToken);
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested)
            {
                // A failed creation is tried again by the next call rather than remembered for the process's life.
                _topics.TryRemove(new KeyValuePair<string, Lazy<Task>>(topic, creation));
                throw;
            }
        }
    }

    private async Task CreateTopicAsync(string topic)
    {
        using var admin = new DependentAdminClientBuilder(_producer.Handle).Build();
        try
        {
            await admin.CreateTopicsAsync(
                [new TopicSpecification { Name = topic, NumPartitions = _options.TopicPartitions, ReplicationFactor = _options.TopicReplicationFactor }],
                new CreateTopicsOptions { RequestTimeout = _options.MessageTimeout, OperationTimeout = _options.MessageTimeout });
            LogTopicCreated(topic, _options.TopicPartitions);
        }
        catch (CreateTopicsException e) when (e.Results.All(result => result.Error.Code is ErrorCode.NoError or ErrorCode.TopicAlreadyExists))
        {
            // Created by another instance, or beforehand: that is the point.
        }
    }

    internal static ProducerConfig CreateProducerConfig(KafkaOptions options)
    {
        var config = new ProducerConfig(new Dictionary<string, string>(options.Client))
        {
            BootstrapServers = options.BootstrapServers,
        };

        // The delivery guarantees, after the user's properties so that none of them can switch these off.
        config.EnableIdempotence = true;
        config.Acks = Acks.All;
        config.MaxInFlight = 5;
        config.MessageTimeoutMs = (int)options.MessageTimeout.TotalMilliseconds;
        config.LingerMs = options.Linger.TotalMilliseconds;
        return config;
    }

    internal static ConsumerConfig CreateConsumerConfig(KafkaOptions options, string consumerGroup)
    {
        var config = new ConsumerConfig(new Dictionary<string, string>(options.Client))
        {
            BootstrapServers = options.BootstrapServers,
            SessionTimeoutMs = (int)options.SessionTimeout.TotalMilliseconds,
            MaxPollIntervalMs = (int)options.MaxHandleTime.TotalMilliseconds,
            // A group that has committed nothing yet starts at the beginning: no event published before the worker's
            // first start is skipped.
            AutoOffsetReset = AutoOffsetReset.Earliest,
            // Subscribing before the first publish creates the topic where the broker allows it, as producing does.
            AllowAutoCreateTopics = true,
        };

        config.GroupId = consumerGroup;
        config.EnableAutoCommit = true;
        config.EnableAutoOffsetStore = false;
        config.IsolationLevel = IsolationLevel.ReadCommitted;
        return config;
    }

    private void Log(LogMessage message)
    {
        // librdkafka retries connections and requests itself, so what it calls an error (a broker refusing a
        // connection) is a warning here; what it cannot recover from reaches the error handler as fatal.
        var level = message.Level switch
        {
            SyslogLevel.Emergency or SyslogLevel.Alert or SyslogLevel.Critical => LogLevel.Error,
            SyslogLevel.Error or SyslogLevel.Warning => LogLevel.Warning,
            SyslogLevel.Notice or SyslogLevel.Info => LogLevel.Information,
            _ => LogLevel.Debug,
        };
        LogClient(level, message.Name, message.Facility, message.Message);
    }

    private void LogError(Error error)
    {
        if (error.IsFatal)
        {
            LogFatal(error.Code, error.Reason);
        }
        else
        {
            LogTransient(error.Code, error.Reason);
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // Deliveries still in flight get their chance to be confirmed (or time out) before the producer goes.
        _producer.Flush(_options.MessageTimeout);
        _producer.Dispose();
    }

    [LoggerMessage(Message = "librdkafka {Client} {Facility}: {Message}")]
    private partial void LogClient(LogLevel level, string client, string facility, string message);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Kafka client failed for good ({Code}): {Reason}")]
    private partial void LogFatal(ErrorCode code, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kafka client error ({Code}), retrying: {Reason}")]
    private partial void LogTransient(ErrorCode code, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Consuming {Topic} failed for a moment ({Code}): {Reason}")]
    private partial void LogConsumeError(string topic, ErrorCode code, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Created the Kafka topic {Topic} with {Partitions} partitions")]
    private partial void LogTopicCreated(string topic, int partitions);
}
