using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Company.Starter.Messaging.Consumers;
using Company.Starter.Messaging.Envelope;
using Company.Starter.Messaging.Events;
using Company.Starter.Messaging.Orders;
using Company.Starter.Messaging.Outbox;
using Company.Starter.Messaging.Telemetry;
using Company.Starter.Messaging.Transport;
using Company.Starter.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Company.Starter.Messaging.Tests;

/// <summary>
/// The pipeline end to end: orders written to the outbox by the API's code, a real worker (relay and consumer), the
/// real database and the solution's broker. Each test has a database, a destination and a consumer group of its own.
/// </summary>
public sealed class MessagingPipelineTests(TestEnvironment environment, BrokerServer broker)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Every_order_placed_gets_exactly_one_receipt()
    {
        await using var bed = await OrdersTestBed.CreateAsync(environment, broker);
        var placed = await bed.PlaceOrdersAsync(40, TestContext.Current.CancellationToken);

        await using var worker = bed.StartWorker();
        var counts = await bed.WaitUntilAsync(c => c.Receipts >= placed.Count && c.Unsent == 0, Patience, "a receipt for every order");

        Assert.Equal(placed.Count, counts.Receipts);
        Assert.Equal(placed.Count, counts.OrdersWithReceipt);
        Assert.Equal(placed.Count, counts.Inbox);
        Assert.Equal(placed.Count, counts.Confirmed);
        var receiptOrders = await bed.QueryAsync(db => db.Receipts.Select(r => r.OrderId).ToListAsync());
        Assert.Equal(placed.Order(), receiptOrders.Order());
        TestContext.Current.TestOutputHelper?.WriteLine($"orders {counts.Orders}, receipts {counts.Receipts}, inbox {counts.Inbox}, confirmed {counts.Confirmed}");
    }

    [Fact]
    public async Task A_publish_repeated_after_the_relay_lost_its_mark_has_no_second_effect()
    {
        await using var bed = await OrdersTestBed.CreateAsync(environment, broker);
        var placed = await bed.PlaceOrdersAsync(30, TestContext.Current.CancellationToken);
        await using var worker = bed.StartWorker();
        using var metrics = new WorkerMetrics(worker.Services);
        await bed.WaitUntilAsync(c => c.Receipts >= placed.Count && c.Unsent == 0, Patience, "the first delivery handled");

        // The relay published and the broker confirmed, but the relay "crashed" before marking the rows sent: the next
        // relay publishes them all again.
        var handledBefore = metrics.Handled;
        var reset = await bed.QueryAsync(db => db.OutboxMessages.ExecuteUpdateAsync(set => set.SetProperty(m => m.SentAt, (DateTimeOffset?)null)));
        Assert.Equal(placed.Count, reset);
        await bed.WaitUntilAsync(c => c.Unsent == 0, Patience, "the rows published again");

        var transport = worker.Services.GetRequiredService<IMessageTransport>();
        if (transport.System == "nats")
        {
            // JetStream drops a publish whose Nats-Msg-Id it saw within its duplicate window: the repeats never reach
            // the consumer (the inbox is the second line). An order placed after them, on the stream's one ordered
            // consumer, is handled only once everything before it was.
            placed.AddRange(await bed.PlaceOrdersAsync(1, TestContext.Current.CancellationToken));
            await bed.WaitUntilAsync(c => c.Receipts == placed.Count, Patience, "the order after the repeats handled");
        }
        else
        {
            await metrics.WaitUntilAsync(m => m.Handled >= handledBefore + placed.Count, Patience, "the repeated messages reached the consumer");
        }

        var counts = await bed.CountAsync();
        Assert.Equal(placed.Count, counts.Receipts);
        Assert.Equal(placed.Count, counts.OrdersWithReceipt);
        Assert.Equal(placed.Count, counts.Inbox);
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"orders {placed.Count}, events published twice {reset}, messages handled {metrics.Handled} (repeats that reached the consumer and were absorbed by the inbox: {metrics.Handled - handledBefore - (placed.Count - reset)}), receipts {counts.Receipts}");
    }

    [Fact]
    public async Task A_poison_message_goes_to_the_dead_letters_at_once_and_the_messages_behind_it_on_its_key_are_handled()
    {
        await using var bed = await OrdersTestBed.CreateAsync(environment, broker);
        await using var worker = bed.StartWorker();
        using var metrics = new WorkerMetrics(worker.Services);
        var transport = worker.Services.GetRequiredService<IMessageTransport>();
        await using var deadLetters = new DeadLetterReader(transport, bed.Destination);

        var orderId = Guid.CreateVersion7();
        var valid = Envelope(bed.Destination, orderId, OrderPlaced.EventType, ValidPayload(orderId));
        var poisonId = Guid.CreateVersion7().ToString();
        var poisonHeaders = new Dictionary<string, string>(valid.Headers)
        {
            ["ce_id"] = poisonId,
            ["traceparent"] = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        };
        var poison = new TransportMessage(bed.Destination, orderId.ToString(), poisonId, Encoding.UTF8.GetBytes("{\"orderId\": not json"), poisonHeaders);

        // The poison first, then a valid event on the same key: the key's order is the poison's problem, not the event's.
        await PublishAsync(transport, poison, valid);

        var letter = await deadLetters.NextAsync(Patience);
        await bed.WaitUntilAsync(c => c.Receipts == 1, Patience, "the valid event behind the poison handled");

        Assert.Equal(poisonId, letter.Message.MessageId);
        Assert.Equal(poison.Body.ToArray(), letter.Message.Body.ToArray());
        var headers = letter.Message.Headers;
        foreach (var (name, value) in poisonHeaders)
        {
            Assert.Equal(value, headers[name]); // the original headers, the trace context among them
        }

        Assert.Equal(bed.Destination, headers[DeadLetterHeaders.OriginalDestination]);
        Assert.Equal("1", headers[DeadLetterHeaders.Attempts]); // permanent: not retried
        Assert.StartsWith(nameof(InvalidEnvelopeException), headers[DeadLetterHeaders.Error]);
        Assert.DoesNotContain('\n', headers[DeadLetterHeaders.Error]);
        Assert.Equal(bed.ConsumerGroup, headers[DeadLetterHeaders.Consumer]);
        Assert.True(DateTimeOffset.TryParse(headers[DeadLetterHeaders.FailedAt], CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out _));
        // Where the broker kept it (partition and offset, queue, stream sequence: whatever the broker has).
        Assert.Contains(headers.Keys, name => name.StartsWith("dlq-original-", StringComparison.Ordinal) && name != DeadLetterHeaders.OriginalDestination);

        var receipt = await bed.QueryAsync(db => db.Receipts.SingleAsync());
        Assert.Equal(orderId, receipt.OrderId);
        Assert.Equal(0, metrics.Retried);
        Assert.Equal(1, metrics.DeadLettered);
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"dead letters {metrics.DeadLettered} (attempts {headers[DeadLetterHeaders.Attempts]}), handled {metrics.Handled}, receipts 1; dlq headers: " +
            string.Join(", ", headers.Where(h => h.Key.StartsWith("dlq-", StringComparison.Ordinal)).Select(h => $"{h.Key}={h.Value}")));
    }

    [Fact]
    public async Task Data_that_fails_validation_is_dead_lettered_without_retries_and_leaves_no_effect()
    {
        await using var bed = await OrdersTestBed.CreateAsync(environment, broker);
        await using var worker = bed.StartWorker();
        using var metrics = new WorkerMetrics(worker.Services);
        var transport = worker.Services.GetRequiredService<IMessageTransport>();
        await using var deadLetters = new DeadLetterReader(transport, bed.Destination);

        var orderId = Guid.CreateVersion7();
        var payload = ValidPayload(orderId).Replace("\"quantity\":2", "\"quantity\":-2", StringComparison.Ordinal);
        await PublishAsync(transport, Envelope(bed.Destination, orderId, OrderPlaced.EventType, payload));

        var letter = await deadLetters.NextAsync(Patience);

        Assert.Equal("1", letter.Message.Headers[DeadLetterHeaders.Attempts]);
        Assert.Contains("quantity -2 is not positive", letter.Message.Headers[DeadLetterHeaders.Error]);
        Assert.Equal(0, metrics.Retried);
        var counts = await bed.CountAsync();
        Assert.Equal(0, counts.Receipts);
        Assert.Equal(0, counts.Inbox);
    }

    [Fact]
    public async Task An_unknown_version_is_dead_lettered_without_retries_and_an_older_one_is_upcast()
    {
        await using var bed = await OrdersTestBed.CreateAsync(environment, broker);
        await using var worker = bed.StartWorker();
        using var metrics = new WorkerMetrics(worker.Services);
        var transport = worker.Services.GetRequiredService<IMessageTransport>();
        await using var deadLetters = new DeadLetterReader(transport, bed.Destination);

        var (name, version) = EventTypeRegistry.Parse(OrderPlaced.EventType);
        var future = Guid.CreateVersion7();
        var legacy = Guid.CreateVersion7();
        var legacyPayload = $$"""{"orderId":"{{legacy}}","product":"SKU-OLD","quantity":1,"amount":5.00,"placedAt":"2026-01-01T00:00:00+00:00"}""";
        await PublishAsync(
            transport,
            Envelope(bed.Destination, future, $"{name}.v{version + 8}", ValidPayload(future)),
            Envelope(bed.Destination, legacy, OrderPlacedHandler.LegacyEventType, legacyPayload));

        var letter = await deadLetters.NextAsync(Patience);
        await bed.WaitUntilAsync(c => c.Receipts == 1, Patience, "the older version upcast and handled");

        Assert.Equal(future.ToString(), letter.Message.Headers["ce_subject"]);
        Assert.Equal("1", letter.Message.Headers[DeadLetterHeaders.Attempts]);
        Assert.StartsWith(nameof(UnknownEventTypeException), letter.Message.Headers[DeadLetterHeaders.Error]);
        Assert.Equal(0, metrics.Retried);
        var receipt = await bed.QueryAsync(db => db.Receipts.SingleAsync());
        Assert.Equal(legacy, receipt.OrderId);
    }

    [Fact]
    public async Task A_message_whose_upcaster_throws_is_dead_lettered_at_once_and_the_next_message_on_its_key_is_handled()
    {
        await using var bed = await OrdersTestBed.CreateAsync(environment, broker);
        var buggyDestination = bed.Destination + "-upcast";
        var handled = new BusyDatabase();
        await using var worker = bed.StartWorker(
            configureServices: services =>
            {
                // A subscription whose upcaster has a bug: reading fails with an exception that is not a permanent one.
                services.AddSingleton(handled);
                services.AddScoped<BuggyUpcasterHandler>();
                services.AddSingleton(new ConsumerSubscription<BuggyUpcasterHandler>(buggyDestination, bed.ConsumerGroup + "-upcast"));
                services.AddHostedService<MessageConsumer<BuggyUpcasterHandler>>();
            });
        using var metrics = new WorkerMetrics(worker.Services);
        var transport = worker.Services.GetRequiredService<IMessageTransport>();
        await using var deadLetters = new DeadLetterReader(transport, buggyDestination);

        var legacy = Guid.CreateVersion7();
        var current = Guid.CreateVersion7();
        var legacyPayload = $$"""{"orderId":"{{legacy}}","product":"SKU-OLD","quantity":1,"amount":5.00,"placedAt":"2026-01-01T00:00:00+00:00"}""";
        // Both on one key: the one behind the unreadable message must not wait for it.
        var behind = Envelope(buggyDestination, legacy, OrderPlaced.EventType, ValidPayload(current));
        await PublishAsync(transport, Envelope(buggyDestination, legacy, OrderPlacedHandler.LegacyEventType, legacyPayload), behind);

        var letter = await deadLetters.NextAsync(Patience);
        await metrics.WaitUntilAsync(_ => handled.Count == 1, Patience, "the message behind the unreadable one handled");

        Assert.Equal(legacy.ToString(), letter.Message.Headers["ce_subject"]);
        Assert.Equal("1", letter.Message.Headers[DeadLetterHeaders.Attempts]);
        Assert.StartsWith(nameof(InvalidEnvelopeException), letter.Message.Headers[DeadLetterHeaders.Error]);
        Assert.Contains("The upcaster has a bug.", letter.Message.Headers[DeadLetterHeaders.Error]);
        Assert.Equal(0, metrics.Retried);
        Assert.Equal(1, metrics.DeadLettered);
    }

    [Fact]
    public async Task A_message_that_fails_every_attempt_is_dead_lettered_after_max_attempts_and_its_effect_rolled_back()
    {
        await using var bed = await OrdersTestBed.CreateAsync(environment, broker);
        var busyDestination = bed.Destination + "-busy";
        var attempts = new BusyDatabase();
        await using var worker = bed.StartWorker(
            new Dictionary<string, string?> { ["Messaging:Consumer:MaxAttempts"] = "3" },
            services =>
            {
                // A second subscription, on a destination of its own, whose effect always fails: a handler's fault
                // that retrying does not cure.
                services.AddSingleton(attempts);
                services.AddScoped<AlwaysTimingOutHandler>();
                services.AddSingleton(new ConsumerSubscription<AlwaysTimingOutHandler>(busyDestination, bed.ConsumerGroup + "-busy"));
                services.AddHostedService<MessageConsumer<AlwaysTimingOutHandler>>();
            });
        using var metrics = new WorkerMetrics(worker.Services);
        var transport = worker.Services.GetRequiredService<IMessageTransport>();
        await using var deadLetters = new DeadLetterReader(transport, busyDestination);

        var orderId = Guid.CreateVersion7();
        await PublishAsync(transport, Envelope(busyDestination, orderId, OrderPlaced.EventType, ValidPayload(orderId)));

        var letter = await deadLetters.NextAsync(Patience);

        Assert.Equal("3", letter.Message.Headers[DeadLetterHeaders.Attempts]);
        Assert.StartsWith(nameof(InvalidOperationException), letter.Message.Headers[DeadLetterHeaders.Error]);
        Assert.Equal(3, attempts.Count);
        Assert.Equal(2, metrics.Retried);
        Assert.Equal(1, metrics.DeadLettered);
        // Each attempt's inbox row and receipt were rolled back with it.
        var counts = await bed.CountAsync();
        Assert.Equal(0, counts.Receipts);
        Assert.Equal(0, counts.Inbox);
        TestContext.Current.TestOutputHelper?.WriteLine($"attempts {attempts.Count}, retried {metrics.Retried}, dead-lettered {metrics.DeadLettered}");
    }

    [Fact]
    public async Task The_consumer_span_continues_the_trace_of_the_request_that_wrote_the_order()
    {
        using var requestSource = new ActivitySource("Company.Starter.Messaging.Tests.Requests");
        var spans = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == MessagingTelemetry.Name || source == requestSource,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);

        await using var bed = await OrdersTestBed.CreateAsync(environment, broker);
        ActivityTraceId requestTrace;
        using (var request = requestSource.StartActivity("POST /orders", ActivityKind.Server))
        {
            Assert.NotNull(request);
            requestTrace = request.TraceId;
            await bed.PlaceOrdersAsync(1, TestContext.Current.CancellationToken);
        }

        var messageId = (await bed.QueryAsync(db => db.OutboxMessages.SingleAsync())).MessageId.ToString();
        await using var worker = bed.StartWorker();
        await bed.WaitUntilAsync(c => c.Receipts == 1, Patience, "the order handled");

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        Activity? process = null;
        while (process is null && DateTime.UtcNow < deadline)
        {
            process = spans.FirstOrDefault(s => s.Kind == ActivityKind.Consumer && Equals(s.GetTagItem("messaging.message.id"), messageId));
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        // The publish the broker confirmed (a refused one is repeated by the relay, with a span of its own).
        var send = spans.Last(s => s.Kind == ActivityKind.Producer && s.Status != ActivityStatusCode.Error && Equals(s.GetTagItem("messaging.message.id"), messageId));
        Assert.NotNull(process);
        Assert.Equal(requestTrace, send.TraceId);
        Assert.Equal(requestTrace, process.TraceId);
        Assert.Equal(send.SpanId, process.ParentSpanId); // the consumer's parent is the relay's send, through the headers
        Assert.Equal($"send {bed.Destination}", send.DisplayName);
        Assert.Equal($"process {bed.Destination}", process.DisplayName);
        Assert.Equal("process", process.GetTagItem("messaging.operation.type"));
        Assert.Equal(bed.ConsumerGroup, process.GetTagItem("messaging.consumer.group.name"));
        Assert.Equal(worker.Services.GetRequiredService<IMessageTransport>().System, process.GetTagItem("messaging.system"));
    }

    /// <summary>
    /// Publishes as the relay does: a publish the broker did not confirm is the caller's to repeat (the transport's
    /// contract), bounded. One message per call, so that repeating one never publishes another twice.
    /// </summary>
    private static async Task PublishAsync(IMessageTransport transport, params TransportMessage[] messages)
    {
        foreach (var message in messages)
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await transport.PublishAsync([message], TestContext.Current.CancellationToken);
                    break;
                }
                catch (Exception exception) when (attempt < 10 && exception is not OperationCanceledException)
                {
                    TestContext.Current.TestOutputHelper?.WriteLine($"publish attempt {attempt} not confirmed: {exception.Message}");
                    await Task.Delay(100 * attempt, TestContext.Current.CancellationToken);
                }
            }
        }
    }

    /// <summary>A message as the relay would publish it (the envelope's own code), for an event the test makes up.</summary>
    private static TransportMessage Envelope(string destination, Guid orderId, string type, string payload) =>
        CloudEventEnvelope.ToTransportMessage(
            new OutboxMessage
            {
                MessageId = Guid.CreateVersion7(),
                Destination = destination,
                Key = orderId.ToString(),
                Type = type,
                Payload = payload,
                OccurredAt = DateTimeOffset.UtcNow,
            },
            new Dictionary<string, string>());

    private static string ValidPayload(Guid orderId) =>
        JsonSerializer.Serialize(new OrderPlaced(orderId, "customer-1", "SKU-1", 2, 19.98m, DateTimeOffset.UtcNow), MessagingJsonContext.Default.OrderPlaced);

    /// <summary>Counts the attempts of <see cref="AlwaysTimingOutHandler"/>.</summary>
    private sealed class BusyDatabase
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public void Attempted() => Interlocked.Increment(ref _count);
    }

    /// <summary>Adds a receipt, then fails, every time: the transaction (inbox row and receipt) must roll back.</summary>
    private sealed class AlwaysTimingOutHandler(BusyDatabase attempts) : IMessageHandler
    {
        public static EventTypeRegistry Types { get; } = new EventTypeRegistry().Current(OrderPlaced.EventType);

        public async Task HandleAsync(MessageContext message, CancellationToken cancellationToken)
        {
            attempts.Attempted();
            // Written inside the attempt's transaction (not only tracked): the rollback has something to undo.
            message.Db.Receipts.Add(new Receipt { OrderId = Guid.CreateVersion7(), Amount = 1, IssuedAt = DateTimeOffset.UtcNow, MessageId = message.MessageId });
            await message.Db.SaveChangesAsync(cancellationToken);
            // A fault of the handler, not of the infrastructure (a timeout would be: see DatabaseOutageTests).
            throw new InvalidOperationException("The handler failed again.");
        }
    }

    /// <summary>Reads the current version; its upcaster from v0 throws (a bug in the user's code, not a permanent failure).</summary>
    private sealed class BuggyUpcasterHandler(BusyDatabase handled) : IMessageHandler
    {
        public static EventTypeRegistry Types { get; } = new EventTypeRegistry()
            .Current(OrderPlaced.EventType)
            .Upcast(OrderPlacedHandler.LegacyEventType, OrderPlaced.EventType, _ => throw new InvalidOperationException("The upcaster has a bug."));

        public Task HandleAsync(MessageContext message, CancellationToken cancellationToken)
        {
            handled.Attempted();
            return Task.CompletedTask;
        }
    }
}
