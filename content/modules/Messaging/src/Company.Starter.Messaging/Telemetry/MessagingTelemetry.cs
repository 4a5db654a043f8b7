using System.Diagnostics;
using System.Diagnostics.Metrics;
using Company.Starter.Messaging.Transport;
using OpenTelemetry;
using OpenTelemetry.Context.Propagation;

namespace Company.Starter.Messaging.Telemetry;

/// <summary>
/// The messaging module's spans and metrics, named <c>Company.Starter.Messaging</c> (ServiceDefaults collects every
/// <c>Company.Starter.*</c> source and meter). Spans follow OpenTelemetry's messaging conventions: the relay's
/// <c>send {destination}</c> (Producer) continues the trace of the request that wrote the outbox row, and a consumer's
/// <c>process {destination}</c> (Consumer) continues the trace the message carried in its <c>traceparent</c> header,
/// so one trace runs from the HTTP request through the broker to the handler's effect.
/// </summary>
/// <remarks>
/// The Confluent.Kafka instrumentation is not used (and not needed): the W3C context is injected and extracted by hand
/// with <see cref="Propagators.DefaultTextMapPropagator"/>, which works the same for every broker.
/// </remarks>
public sealed class MessagingTelemetry
{
    public const string Name = "Company.Starter.Messaging";

    public static readonly ActivitySource ActivitySource = new(Name);

    private readonly Counter<long> _published;
    private readonly Counter<long> _handled;
    private readonly Counter<long> _retried;
    private readonly Counter<long> _deadLettered;
    private readonly Counter<long> _batchRolledBack;
    private readonly Histogram<double> _latency;

    public MessagingTelemetry(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(Name);
        _published = meter.CreateCounter<long>("messaging.outbox.published", unit: "{message}", description: "Outbox messages the broker confirmed.");
        _handled = meter.CreateCounter<long>("messaging.consumer.handled", unit: "{message}", description: "Messages handled (their effect committed, or found already handled).");
        _retried = meter.CreateCounter<long>("messaging.consumer.retried", unit: "{attempt}", description: "Handling attempts that failed transiently and were retried.");
        _deadLettered = meter.CreateCounter<long>("messaging.consumer.dead_lettered", unit: "{message}", description: "Messages sent to the dead-letter destination.");
        _batchRolledBack = meter.CreateCounter<long>("messaging.consumer.batch_rolled_back", unit: "{batch}", description: "Batches whose one transaction failed and whose messages were handled again one by one.");
        _latency = meter.CreateHistogram<double>("messaging.end_to_end.duration", unit: "s", description: "From the event's time (ce_time) to its effect committed.");
    }

    public void Published(string system, string destination, int count) =>
        _published.Add(count, Tag("messaging.system", system), Tag("messaging.destination.name", destination));

    public void Handled(string system, string destination, string consumer, TimeSpan? endToEnd)
    {
        _handled.Add(1, Tag("messaging.system", system), Tag("messaging.destination.name", destination), Tag("messaging.consumer.group.name", consumer));
        if (endToEnd is { } latency)
        {
            _latency.Record(Math.Max(0, latency.TotalSeconds), Tag("messaging.system", system), Tag("messaging.destination.name", destination));
        }
    }

    public void Retried(string system, string destination, string consumer, string errorType) =>
        _retried.Add(1, Tag("messaging.system", system), Tag("messaging.destination.name", destination), Tag("messaging.consumer.group.name", consumer), Tag("error.type", errorType));

    public void DeadLettered(string system, string destination, string consumer, string errorType) =>
        _deadLettered.Add(1, Tag("messaging.system", system), Tag("messaging.destination.name", destination), Tag("messaging.consumer.group.name", consumer), Tag("error.type", errorType));

    public void BatchRolledBack(string system, string destination, string consumer, string errorType) =>
        _batchRolledBack.Add(1, Tag("messaging.system", system), Tag("messaging.destination.name", destination), Tag("messaging.consumer.group.name", consumer), Tag("error.type", errorType));

    /// <summary>
    /// The relay's span for one message: a child of the request that wrote the row (its stored <c>traceparent</c>),
    /// or a root when the row has none (written outside a trace).
    /// </summary>
    public static Activity? StartSend(string system, string destination, string messageId, string? traceParent, string? traceState)
    {
        var parent = Extract(traceParent, traceState);
        var activity = ActivitySource.StartActivity($"send {destination}", ActivityKind.Producer, parent.ActivityContext);
        activity?.SetTag("messaging.system", system);
        activity?.SetTag("messaging.operation.type", "send");
        activity?.SetTag("messaging.operation.name", "send");
        activity?.SetTag("messaging.destination.name", destination);
        activity?.SetTag("messaging.message.id", messageId);
        return activity;
    }

    /// <summary>A consumer's span for one message: a child of the context the message carried.</summary>
    public static Activity? StartProcess(string system, string consumerGroup, ReceivedMessage received)
    {
        var headers = received.Message.Headers;
        var parent = Extract(headers.GetValueOrDefault(TraceParentHeader), headers.GetValueOrDefault(TraceStateHeader));
        var destination = received.Message.Destination;
        var activity = ActivitySource.StartActivity($"process {destination}", ActivityKind.Consumer, parent.ActivityContext);
        if (activity is null)
        {
            return null;
        }

        activity.SetTag("messaging.system", system);
        activity.SetTag("messaging.operation.type", "process");
        activity.SetTag("messaging.operation.name", "process");
        activity.SetTag("messaging.destination.name", destination);
        activity.SetTag("messaging.message.id", received.Message.MessageId);
        activity.SetTag("messaging.consumer.group.name", consumerGroup);
        foreach (var (name, value) in received.Coordinates)
        {
            // The broker's coordinates are given under OpenTelemetry's names (messaging.destination.partition.id, ...).
            activity.SetTag(name, value);
        }

        if (received.DeliveryCount > 1)
        {
            activity.SetTag("messaging.message.delivery_count", received.DeliveryCount);
        }

        return activity;
    }

    /// <summary>Marks a span failed with the OpenTelemetry <c>error.type</c> (the exception's type name).</summary>
    public static void Failed(Activity? activity, Exception exception)
    {
        activity?.SetStatus(ActivityStatusCode.Error, exception.Message);
        activity?.SetTag("error.type", exception.GetType().FullName);
    }

    public const string TraceParentHeader = "traceparent";

    public const string TraceStateHeader = "tracestate";

    /// <summary>Writes the context of <paramref name="activity"/> (W3C traceparent, tracestate, baggage) into headers.</summary>
    public static void Inject(Activity? activity, IDictionary<string, string> headers)
    {
        if (activity is null)
        {
            return;
        }

        Propagators.DefaultTextMapPropagator.Inject(
            new PropagationContext(activity.Context, Baggage.Current),
            headers,
            static (carrier, key, value) => carrier[key] = value);
    }

    private static PropagationContext Extract(string? traceParent, string? traceState)
    {
        if (string.IsNullOrEmpty(traceParent))
        {
            return default;
        }

        var carrier = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { [TraceParentHeader] = traceParent };
        if (!string.IsNullOrEmpty(traceState))
        {
            carrier[TraceStateHeader] = traceState;
        }

        return Propagators.DefaultTextMapPropagator.Extract(
            default,
            carrier,
            static (headers, key) => headers.TryGetValue(key, out var value) ? [value] : []);
    }

    private static KeyValuePair<string, object?> Tag(string name, object? value) => new(name, value);
}
