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
using Microsoft.EntityFrameworkCore.Storage;
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
/// inbox and apply the handler's effect. Messages the broker delivers together (up to
/// <see cref="ConsumerOptions.MaxBatchSize"/>) share that transaction; if it fails, each of them is handled again on its
/// own, so only a message that fails by itself is retried or dead-lettered. A message already in the inbox (a redelivery, a publish repeated after a relay
/// crash) has no second effect. A message that fails every attempt, or at once a permanent failure, is published to the
/// dead-letter destination with the original body and headers plus where it came from and why it failed; then it is
/// acknowledged, so the partition or queue keeps flowing behind it. A fault of the infrastructure (the database is
/// down) that outlasts the attempts is not the message's: the subscription ends unacknowledged and starts again after
/// its backoff, and the broker delivers the message again.
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
                await transport.SubscribeBatchesAsync(
                    subscription.Destination, subscription.ConsumerGroup, _options.MaxBatchSize, HandleBatchAsync, stoppingToken);
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
        if (await ReadAsync(received, activity, cancellationToken) is { } message)
        {
            await HandleWithRetriesAsync(message, activity, cancellationToken);
        }
    }

    /// <summary>
    /// Handles a batch of received messages to the end. The envelopes are read first (what cannot be read is
    /// dead-lettered at once); the rest go through ONE transaction: one inbox query finds those already handled (a
    /// message id repeated within the batch counts once), the handler's effects of the others are applied in message
    /// order, one save, one commit, and only then the after-commit actions (notifications). If anything in that
    /// transaction fails (a message whose data is invalid, a deadlock, a commit that did not go through), it is rolled
    /// back as a whole and each message is handled again on its own, in order, with its retries and dead letters: the
    /// failing message alone ends in the dead letters, and the inbox keeps the others at one effect each.
    /// </summary>
    public async Task HandleBatchAsync(IReadOnlyList<ReceivedMessage> batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Count == 1)
        {
            await HandleAsync(batch[0], cancellationToken);
            return;
        }

        // A span per message, each a child of the context its message carried. Starting one makes it Activity.Current,
        // which would make it the parent of the next message's span when that one carries no context: put the ambient
        // one back after each.
        var ambient = Activity.Current;
        var activities = new List<Activity?>(batch.Count);
        try
        {
            var messages = new List<IncomingMessage>(batch.Count);
            foreach (var received in batch)
            {
                var activity = MessagingTelemetry.StartProcess(transport.System, subscription.ConsumerGroup, received);
                Activity.Current = ambient;
                activities.Add(activity);
                if (await ReadAsync(received, activity, cancellationToken) is { } message)
                {
                    messages.Add(message);
                }
            }

            if (messages.Count == 0)
            {
                return;
            }

            BatchOutcome outcome;
            try
            {
                outcome = await HandleBatchOnceAsync(messages, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // The worker is stopping: nothing of the batch is acknowledged, the broker delivers it all again.
                throw;
            }
            catch (Exception exception)
            {
                telemetry.BatchRolledBack(transport.System, subscription.Destination, subscription.ConsumerGroup, exception.GetType().FullName!);
                LogBatchRolledBack(logger, messages.Count, subscription.Destination, OneLine(exception));
                foreach (var message in messages)
                {
                    Activity.Current = message.Activity;
                    await HandleWithRetriesAsync(message, message.Activity, cancellationToken);
                }

                return;
            }

            for (var i = 0; i < messages.Count; i++)
            {
                Handled(messages[i], outcome.Handled[i]);
            }

            await RunAfterCommitAsync(outcome.Contexts, cancellationToken);
        }
        finally
        {
            foreach (var activity in activities)
            {
                activity?.Dispose();
            }

            Activity.Current = ambient;
        }
    }

    /// <summary>
    /// The envelope of <paramref name="received"/>, its id, current type and data; or null when it cannot be read as
    /// one of the handler's types, in which case it has been dead-lettered (retrying would not make it readable).
    /// </summary>
    private async Task<IncomingMessage?> ReadAsync(ReceivedMessage received, Activity? activity, CancellationToken cancellationToken)
    {
        try
        {
            var cloudEvent = CloudEventEnvelope.Read(received.Message);
            if (!Guid.TryParse(cloudEvent.Id, out var messageId))
            {
                throw new InvalidEnvelopeException($"The event id '{cloudEvent.Id}' is not a GUID.");
            }

            var (type, data) = THandler.Types.Read(cloudEvent);
            return new IncomingMessage(received, activity, cloudEvent, messageId, type, data);
        }
        catch (PermanentMessageException exception)
        {
            await DeadLetterAsync(received, exception, attempts: 1, activity, cancellationToken);
            return null;
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Reading touches nothing but the message (an upcaster's bug, JSON the parser refuses): it would fail the
            // same way on every delivery, so it is an invalid envelope, dead-lettered at once rather than redelivered forever.
            var invalid = new InvalidEnvelopeException($"The event could not be read: {exception.GetType().Name}: {exception.Message}", exception);
            await DeadLetterAsync(received, invalid, attempts: 1, activity, cancellationToken);
            return null;
        }
    }

    /// <summary>One message on its own: up to <see cref="ConsumerOptions.MaxAttempts"/> attempts, then the dead letters.</summary>
    private async Task HandleWithRetriesAsync(IncomingMessage message, Activity? activity, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var (handled, context) = await HandleOnceAsync(message, cancellationToken);
                Handled(message, handled);
                if (context is not null)
                {
                    await RunAfterCommitAsync([context], cancellationToken);
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
                await DeadLetterAsync(message.Received, exception, attempt, activity, cancellationToken);
                return;
            }
            catch (Exception exception) when (attempt < _options.MaxAttempts)
            {
                var delay = _options.RetryDelay(attempt);
                telemetry.Retried(transport.System, message.Received.Message.Destination, subscription.ConsumerGroup, exception.GetType().FullName!);
                LogRetrying(logger, message.MessageId, attempt, _options.MaxAttempts, delay, OneLine(exception));
                await Task.Delay(delay, time, cancellationToken);
            }
            catch (Exception exception) when (IsInfrastructureFault(exception))
            {
                // Not the message's fault: the database is unreachable or too busy for longer than the retry budget.
                // Dead-lettering would throw healthy messages away during an outage; the subscription ends instead,
                // unacknowledged, and starts again after its backoff: the broker delivers the message again.
                LogInfrastructureFault(logger, message.MessageId, attempt, OneLine(exception));
                throw;
            }
            catch (Exception exception)
            {
                await DeadLetterAsync(message.Received, exception, attempt, activity, cancellationToken);
                return;
            }
        }
    }

    /// <summary>
    /// True for a fault of the infrastructure rather than of the message: the database could not be reached or was
    /// too busy (<see cref="DatabaseErrors.IsUnavailable"/>: a transient <see cref="System.Data.Common.DbException"/>,
    /// a socket error, a <see cref="TimeoutException"/>, anywhere in the chain of inner exceptions) or EF Core's
    /// execution strategy gave up retrying. A constraint violation, a handler's bug or invalid data is the message's
    /// own and goes to the dead letters after the retries.
    /// </summary>
    public static bool IsInfrastructureFault(Exception exception) =>
        exception is RetryLimitExceededException || DatabaseErrors.IsUnavailable(exception);

    /// <summary>
    /// One attempt at one message: the inbox row and the handler's effect in one transaction. Handled is false when the
    /// inbox already had the message (nothing was changed); true when the effect committed, with its context (for the
    /// after-commit actions).
    /// </summary>
    private async Task<(bool Handled, MessageContext? Context)> HandleOnceAsync(IncomingMessage message, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MessagingDbContext>();
        var handler = scope.ServiceProvider.GetRequiredService<THandler>();
        var consumer = subscription.ConsumerGroup;
        var messageId = message.MessageId;

        try
        {
            // The cheap way out for the usual redelivery; the unique key below settles a race with another consumer.
            if (await db.InboxMessages.AnyAsync(m => m.MessageId == messageId && m.Consumer == consumer, cancellationToken))
            {
                return (false, null);
            }

            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            db.InboxMessages.Add(new InboxMessage { MessageId = messageId, Consumer = consumer, Type = message.Event.Type!, HandledAt = time.GetUtcNow() });
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException exception) when (DatabaseErrors.IsUniqueViolation(exception))
            {
                return (false, null);
            }

            var context = new MessageContext(db, message.Event, messageId, message.Type, message.Data);
            await handler.PrepareAsync([context], cancellationToken);
            await handler.HandleAsync(context, cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return (true, context);
        }
        finally
        {
            // The pooled context goes back to the pool: it must not keep a failed attempt's rows for its next user.
            db.ChangeTracker.Clear();
        }
    }

    /// <summary>
    /// One attempt at a batch, in one transaction: one query for the ids the inbox already holds, the inbox rows and the
    /// handler's effects of the others in message order, one save, one commit. Throws (everything rolled back) if any
    /// part fails; the caller then handles the messages one by one.
    /// </summary>
    private async Task<BatchOutcome> HandleBatchOnceAsync(List<IncomingMessage> messages, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MessagingDbContext>();
        var handler = scope.ServiceProvider.GetRequiredService<THandler>();
        var consumer = subscription.ConsumerGroup;

        try
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var ids = messages.Select(m => m.MessageId).Distinct().ToList();
            // Already handled, or (as it fills below) earlier in this batch: a message id repeated within one batch
            // (a publish repeated after a relay crash, fetched together with the first) has one effect, as across batches.
            // A race with another consumer of the same group ends in the inbox key's unique violation: the batch rolls
            // back and the one-by-one path sees the other's rows.
            var seen = (await db.InboxMessages
                .Where(m => m.Consumer == consumer && ids.Contains(m.MessageId))
                .Select(m => m.MessageId)
                .ToListAsync(cancellationToken)).ToHashSet();

            var handled = new bool[messages.Count];
            var contexts = new List<MessageContext>(messages.Count);
            var now = time.GetUtcNow();
            for (var i = 0; i < messages.Count; i++)
            {
                var message = messages[i];
                if (!seen.Add(message.MessageId))
                {
                    continue;
                }

                db.InboxMessages.Add(new InboxMessage { MessageId = message.MessageId, Consumer = consumer, Type = message.Event.Type!, HandledAt = now });
                contexts.Add(new MessageContext(db, message.Event, message.MessageId, message.Type, message.Data));
                handled[i] = true;
            }

            if (contexts.Count > 0)
            {
                await handler.PrepareAsync(contexts, cancellationToken);
                foreach (var context in contexts)
                {
                    await handler.HandleAsync(context, cancellationToken);
                }

                // Every inbox row and every effect of the batch: EF Core sends them as one batch of commands.
                await db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
            }

            return new BatchOutcome(handled, contexts);
        }
        finally
        {
            // The pooled context goes back to the pool: it must not keep a failed attempt's rows for its next user.
            db.ChangeTracker.Clear();
        }
    }

    /// <summary>Counts a message handled (with its end-to-end latency when its effect committed), or logs it a duplicate.</summary>
    private void Handled(IncomingMessage message, bool effectCommitted)
    {
        var transportMessage = message.Received.Message;
        var endToEnd = effectCommitted && CloudEventEnvelope.Time(transportMessage) is { } occurredAt ? time.GetUtcNow() - occurredAt : (TimeSpan?)null;
        telemetry.Handled(transport.System, transportMessage.Destination, subscription.ConsumerGroup, endToEnd);
        if (!effectCommitted)
        {
            LogDuplicate(logger, message.MessageId, subscription.ConsumerGroup);
        }
    }

    /// <summary>
    /// The after-commit actions of committed messages, best effort. They are all started before any is awaited, in
    /// message order: a batch's notifications go out together (pipelined on Redis's one connection) instead of one
    /// round trip after another.
    /// </summary>
    private async Task RunAfterCommitAsync(IReadOnlyList<MessageContext> contexts, CancellationToken cancellationToken)
    {
        var actions = new List<Task>();
        foreach (var context in contexts)
        {
            foreach (var action in context.AfterCommitActions)
            {
                actions.Add(RunAsync(action, context.MessageId));
            }
        }

        await Task.WhenAll(actions);

        async Task RunAsync(Func<CancellationToken, ValueTask> action, Guid messageId)
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
    }

    /// <summary>A message whose envelope was read: what the transaction needs of it, and its span.</summary>
    private sealed record IncomingMessage(
        ReceivedMessage Received,
        Activity? Activity,
        CloudEvent Event,
        Guid MessageId,
        string Type,
        System.Text.Json.Nodes.JsonObject Data);

    /// <summary>Per message of a batch, whether its effect committed (else the inbox had it); the committed ones' contexts.</summary>
    private sealed record BatchOutcome(bool[] Handled, List<MessageContext> Contexts);

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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Message {MessageId} failed {Attempts} attempt(s) for a fault of the infrastructure, not of the message: not dead-lettered, the subscription restarts and the broker delivers it again: {Error}")]
    private static partial void LogInfrastructureFault(ILogger logger, Guid messageId, int attempts, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "A batch of {Count} messages of {Destination} was rolled back; handling them one by one: {Error}")]
    private static partial void LogBatchRolledBack(ILogger logger, int count, string destination, string error);

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
