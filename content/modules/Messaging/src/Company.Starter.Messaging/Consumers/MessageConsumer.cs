using System.Diagnostics;
using System.Globalization;
using System.Text;
using CloudNative.CloudEvents;
using Company.Starter.Data;
using Company.Starter.Messaging.Envelope;
using Company.Starter.Messaging.Inbox;
using Company.Starter.Messaging.Telemetry;
using Company.Starter.Messaging.Transport;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Company.Starter.Messaging.Consumers;

/// <summary>Which destination a handler consumes, and as which consumer group (also its name in the inbox).</summary>
public sealed record ConsumerSubscription<THandler>(string Destination, string ConsumerGroup) where THandler : IMessageHandler;

/// <summary>
/// One subscription's pipeline, hosted for the life of the worker. For each message: read the envelope, check the type
/// and version, then up to <see cref="ConsumerOptions.MaxAttempts"/> times, in ONE transaction, record the message in the
/// inbox and apply the handler's effect. A message already in the inbox (a redelivery, a publish repeated after a relay
/// crash) has no second effect. A message that fails every attempt, or at once a permanent failure, is published to the
/// dead-letter destination with the original body and headers plus where it came from and why it failed; then it is
/// acknowledged, so the partition or queue keeps flowing behind it.
/// </summary>
public sealed partial class MessageConsumer<THandler>(
    ConsumerSubscription<THandler> subscription,
    IMessageTransport transport,
    IServiceScopeFactory scopes,
    MessagingTelemetry telemetry,
    IOptions<ConsumerOptions> options,
    TimeProvider time,
    ILogger<MessageConsumer<THandler>> logger) : BackgroundService
    where THandler : class, IMessageHandler
{
    private readonly ConsumerOptions _options = options.Value;

    /// <summary>
    /// Subscribes until the worker stops. When the subscription fails (the broker went away, a handler's dead letter
    /// could not be published), it starts again after a bounded exponential backoff: the worker never crashes for it,
    /// and the unacknowledged message is delivered again.
    /// </summary>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            var started = time.GetTimestamp();
            try
            {
                await transport.SubscribeAsync(subscription.Destination, subscription.ConsumerGroup, HandleAsync, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                // A subscription that ran a good while before failing starts its backoff afresh.
                failures = time.GetElapsedTime(started) > _options.RestartMaxDelay ? 1 : failures + 1;
                var delay = Backoff.Exponential(TimeSpan.FromMilliseconds(500), _options.RestartMaxDelay, failures);
                LogSubscriptionFailed(logger, subscription.Destination, subscription.ConsumerGroup, failures, delay, OneLine(exception));
                await Task.Delay(delay, time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    /// <summary>Handles one received message to the end: effect committed, already handled, or dead-lettered.</summary>
    public async Task HandleAsync(ReceivedMessage received, CancellationToken cancellationToken)
    {
        using var activity = MessagingTelemetry.StartProcess(transport.System, subscription.ConsumerGroup, received);
        var message = received.Message;

        CloudEvent cloudEvent;
        Guid messageId;
        string type;
        System.Text.Json.Nodes.JsonObject data;
        try
        {
            cloudEvent = CloudEventEnvelope.Read(message);
            if (!Guid.TryParse(cloudEvent.Id, out messageId))
            {
                throw new InvalidEnvelopeException($"The event id '{cloudEvent.Id}' is not a GUID.");
            }

            (type, data) = THandler.Types.Read(cloudEvent);
        }
        catch (PermanentMessageException exception)
        {
            await DeadLetterAsync(received, exception, attempts: 1, activity, cancellationToken);
            return;
        }

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var handled = await HandleOnceAsync(cloudEvent, messageId, type, data, cancellationToken);
                var endToEnd = handled && CloudEventEnvelope.Time(message) is { } occurredAt ? time.GetUtcNow() - occurredAt : (TimeSpan?)null;
                telemetry.Handled(transport.System, message.Destination, subscription.ConsumerGroup, endToEnd);
                if (!handled)
                {
                    LogDuplicate(logger, messageId, subscription.ConsumerGroup);
                }

                return;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // The worker is stopping: not acknowledged, so the broker delivers it again to whoever consumes next.
                throw;
            }
            catch (PermanentMessageException exception)
            {
                await DeadLetterAsync(received, exception, attempt, activity, cancellationToken);
                return;
            }
            catch (Exception exception) when (attempt < _options.MaxAttempts)
            {
                var delay = _options.RetryDelay(attempt);
                telemetry.Retried(transport.System, message.Destination, subscription.ConsumerGroup, exception.GetType().FullName!);
                LogRetrying(logger, messageId, attempt, _options.MaxAttempts, delay, OneLine(exception));
                await Task.Delay(delay, time, cancellationToken);
            }
            catch (Exception exception)
            {
                await DeadLetterAsync(received, exception, attempt, activity, cancellationToken);
                return;
            }
        }
    }

    /// <summary>
    /// One attempt: the inbox row and the handler's effect in one transaction. False when the inbox already had the
    /// message (nothing was changed); true when the effect committed.
    /// </summary>
    private async Task<bool> HandleOnceAsync(CloudEvent cloudEvent, Guid messageId, string type, System.Text.Json.Nodes.JsonObject data, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MessagingDbContext>();
        var handler = scope.ServiceProvider.GetRequiredService<THandler>();
        var consumer = subscription.ConsumerGroup;

        try
        {
            // The cheap way out for the usual redelivery; the unique key below settles a race with another consumer.
            if (await db.InboxMessages.AnyAsync(m => m.MessageId == messageId && m.Consumer == consumer, cancellationToken))
            {
                return false;
            }

            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            db.InboxMessages.Add(new InboxMessage { MessageId = messageId, Consumer = consumer, Type = cloudEvent.Type!, HandledAt = time.GetUtcNow() });
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException exception) when (DatabaseErrors.IsUniqueViolation(exception))
            {
                return false;
            }

            var context = new MessageContext(db, cloudEvent, messageId, type, data);
            await handler.HandleAsync(context, cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);

            foreach (var action in context.AfterCommitActions)
            {
                try
                {
                    await action(cancellationToken);
                }
                catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    // The effect is committed and stays so; what follows it is best effort by design.
                    LogAfterCommitFailed(logger, messageId, OneLine(exception));
                }
            }

            return true;
        }
        finally
        {
            // The pooled context goes back to the pool: it must not keep a failed attempt's rows for its next user.
            db.ChangeTracker.Clear();
        }
    }

    /// <summary>
    /// Publishes the message to the dead-letter destination: the original body and headers (the trace context
    /// included), plus where it was (<c>dlq-original-*</c>), why it failed (<c>dlq-error</c>), after how many attempts,
    /// by which consumer and when. If that publish fails the exception ends the subscription unacknowledged: the
    /// message is delivered again rather than lost.
    /// </summary>
    private async Task DeadLetterAsync(ReceivedMessage received, Exception exception, int attempts, Activity? activity, CancellationToken cancellationToken)
    {
        var message = received.Message;
        var deadLetterDestination = transport.DeadLetterDestination(message.Destination);
        var headers = new Dictionary<string, string>(message.Headers, StringComparer.Ordinal)
        {
            [DeadLetterHeaders.OriginalDestination] = message.Destination,
            [DeadLetterHeaders.Error] = Truncate(OneLine(exception), 500),
            [DeadLetterHeaders.Attempts] = attempts.ToString(CultureInfo.InvariantCulture),
            [DeadLetterHeaders.Consumer] = subscription.ConsumerGroup,
            [DeadLetterHeaders.FailedAt] = time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture),
        };
        foreach (var (name, value) in received.Coordinates)
        {
            if (DeadLetterHeaders.ForCoordinate(name, value, message.Destination) is { } header)
            {
                headers[header] = value;
            }
        }

        await transport.PublishAsync([message with { Destination = deadLetterDestination, Headers = headers }], cancellationToken);

        var errorType = exception.GetType().FullName!;
        MessagingTelemetry.Failed(activity, exception);
        telemetry.DeadLettered(transport.System, message.Destination, subscription.ConsumerGroup, errorType);
        // A poison message is data, not a fault of this service: a warning with its id, and the message waits in the
        // dead letters for someone to look at.
        LogDeadLettered(logger, message.MessageId, message.Destination, deadLetterDestination, attempts, OneLine(exception));
    }

    private static string OneLine(Exception exception) =>
        $"{exception.GetType().Name}: {exception.Message.ReplaceLineEndings(" ")}";

    private static string Truncate(string value, int length) => value.Length <= length ? value : value[..length];

    [LoggerMessage(Level = LogLevel.Warning, Message = "The subscription to {Destination} as {ConsumerGroup} failed (failure {Failures} in a row); subscribing again in {Delay}: {Error}")]
    private static partial void LogSubscriptionFailed(ILogger logger, string destination, string consumerGroup, int failures, TimeSpan delay, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Message {MessageId} failed attempt {Attempt} of {MaxAttempts}; retrying in {Delay}: {Error}")]
    private static partial void LogRetrying(ILogger logger, Guid messageId, int attempt, int maxAttempts, TimeSpan delay, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Message {MessageId} of {Destination} went to the dead letters ({DeadLetterDestination}) after {Attempts} attempt(s): {Error}")]
    private static partial void LogDeadLettered(ILogger logger, string messageId, string destination, string deadLetterDestination, int attempts, string error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Message {MessageId} was already handled by {Consumer}: no second effect")]
    private static partial void LogDuplicate(ILogger logger, Guid messageId, string consumer);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Message {MessageId} was handled, but what follows its commit failed: {Error}")]
    private static partial void LogAfterCommitFailed(ILogger logger, Guid messageId, string error);
}

/// <summary>The headers a dead letter carries beside the original message's own.</summary>
public static class DeadLetterHeaders
{
    public const string OriginalDestination = "dlq-original-destination";
    public const string Error = "dlq-error";
    public const string Attempts = "dlq-attempts";
    public const string Consumer = "dlq-consumer";
    public const string FailedAt = "dlq-failed-at";

    /// <summary>
    /// The header of one of the broker's coordinates (OpenTelemetry attribute names, as the transport gives them):
    /// <c>dlq-original-partition</c>, <c>dlq-original-offset</c>, <c>dlq-original-queue</c>, <c>dlq-original-stream</c> ...
    /// </summary>
    public static string? ForCoordinate(string attribute, string value, string destination) => attribute switch
    {
        // Already said: dlq-original-destination, dlq-consumer.
        "messaging.destination.name" when value == destination => null,
        "messaging.consumer.group.name" => null,
        "messaging.destination.name" => "dlq-original-queue",
        "messaging.kafka.message.key" => "dlq-original-key",
        "messaging.destination.partition.id" => "dlq-original-partition",
        "messaging.kafka.offset" => "dlq-original-offset",
        "messaging.rabbitmq.delivery_tag" => "dlq-original-delivery-tag",
        "nats.stream" => "dlq-original-stream",
        "nats.sequence" => "dlq-original-sequence",
        _ => "dlq-original-" + new StringBuilder(attribute).Replace('.', '-').Replace('_', '-'),
    };
}
