using System.Globalization;
using System.Text.Json;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.SystemTextJson;
using Company.Starter.Messaging.Consumers;
using Company.Starter.Messaging.Outbox;
using Company.Starter.Messaging.Transport;

namespace Company.Starter.Messaging.Envelope;

/// <summary>
/// The envelope every message travels in: a CloudEvents 1.0 event in binary content mode, as the Kafka, AMQP and NATS
/// protocol bindings lay it out. The event's data is the message body (JSON); its attributes are headers
/// (<c>ce_id</c>, <c>ce_type</c>, <c>ce_source</c>, <c>ce_specversion</c>, <c>ce_time</c>, <c>ce_subject</c>, and
/// <c>content-type</c>), beside the W3C trace context (<c>traceparent</c>, <c>tracestate</c>). Any broker and any
/// language with a CloudEvents SDK reads it without knowing this code.
/// </summary>
public static class CloudEventEnvelope
{
    /// <summary>The <c>source</c> of the events this service publishes.</summary>
    public static readonly Uri Source = new("urn:company-starter:orders", UriKind.Absolute);

    public const string AttributePrefix = "ce_";

    public const string ContentTypeHeader = "content-type";

    public const string JsonContentType = "application/json";

    private static readonly JsonEventFormatter Formatter = new();

    /// <summary>
    /// The transport message of an outbox row; <paramref name="traceHeaders"/> carry the context to continue (the relay's
    /// send span, or the row's stored one when no span was recorded).
    /// </summary>
    public static TransportMessage ToTransportMessage(OutboxMessage row, IReadOnlyDictionary<string, string> traceHeaders)
    {
        var cloudEvent = new CloudEvent(CloudEventsSpecVersion.V1_0)
        {
            Id = row.MessageId.ToString(),
            Type = row.Type,
            Source = Source,
            Time = row.OccurredAt,
            Subject = row.Key,
            DataContentType = JsonContentType,
        };

        using (var payload = JsonDocument.Parse(row.Payload))
        {
            cloudEvent.Data = payload.RootElement.Clone();
        }

        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (attribute, value) in cloudEvent.GetPopulatedAttributes())
        {
            if (attribute == CloudEventsSpecVersion.V1_0.DataContentTypeAttribute)
            {
                // The bindings carry the data's content type in the protocol's own header, not as ce_datacontenttype.
                headers[ContentTypeHeader] = attribute.Format(value);
                continue;
            }

            headers[AttributePrefix + attribute.Name] = attribute.Format(value);
        }

        headers[AttributePrefix + CloudEventsSpecVersion.SpecVersionAttribute.Name] = CloudEventsSpecVersion.V1_0.VersionId;
        foreach (var (name, value) in traceHeaders)
        {
            headers[name] = value;
        }

        return new TransportMessage(row.Destination, row.Key, cloudEvent.Id!, Formatter.EncodeBinaryModeEventData(cloudEvent), headers);
    }

    /// <summary>
    /// Reads a received message back into a validated CloudEvent with its data. A message that is not a valid
    /// CloudEvent (an attribute missing or malformed, a body that is not the JSON its content type says) is rejected
    /// with an <see cref="InvalidEnvelopeException"/>: it will never become valid by retrying.
    /// </summary>
    public static CloudEvent Read(TransportMessage message)
    {
        var headers = message.Headers;
        if (!headers.TryGetValue(AttributePrefix + "specversion", out var versionId) ||
            CloudEventsSpecVersion.FromVersionId(versionId) is not { } version)
        {
            throw new InvalidEnvelopeException("The message has no ce_specversion header the CloudEvents SDK knows.");
        }

        var cloudEvent = new CloudEvent(version);
        try
        {
            foreach (var (name, value) in headers)
            {
                if (name.StartsWith(AttributePrefix, StringComparison.Ordinal) && name.Length > AttributePrefix.Length && name != AttributePrefix + "specversion")
                {
                    cloudEvent.SetAttributeFromString(name[AttributePrefix.Length..], value);
                }
            }

            if (headers.TryGetValue(ContentTypeHeader, out var contentType))
            {
                cloudEvent.DataContentType = contentType;
            }

            cloudEvent.Validate();
            if (!string.Equals(cloudEvent.Id, message.MessageId, StringComparison.Ordinal))
            {
                throw new InvalidEnvelopeException($"The message id '{message.MessageId}' is not the event's ce_id '{cloudEvent.Id}'.");
            }

            Formatter.DecodeBinaryModeEventData(message.Body, cloudEvent);
        }
        catch (Exception exception) when (exception is ArgumentException or FormatException or JsonException or InvalidOperationException)
        {
            throw new InvalidEnvelopeException($"The message is not a valid CloudEvent: {exception.Message}", exception);
        }

        return cloudEvent;
    }

    /// <summary>The headers' <c>ce_time</c> as a time, if present and well-formed (for the end-to-end latency).</summary>
    public static DateTimeOffset? Time(TransportMessage message) =>
        message.Headers.TryGetValue(AttributePrefix + "time", out var value) &&
        DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var time)
            ? time
            : null;
}

/// <summary>A message that is not a valid envelope: data, not a fault of the moment, so it is never retried.</summary>
public sealed class InvalidEnvelopeException(string message, Exception? inner = null) : PermanentMessageException(message, inner);
