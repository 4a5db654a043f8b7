using System.Text;
using System.Text.Json;
using CloudNative.CloudEvents;
using Company.Starter.Messaging.Consumers;
using Company.Starter.Messaging.Envelope;
using Company.Starter.Messaging.Events;
using Company.Starter.Messaging.Outbox;

namespace Company.Starter.Messaging.Tests;

/// <summary>The CloudEvents envelope and the versions a consumer reads: no broker, no database.</summary>
public sealed class EnvelopeTests
{
    private static readonly Guid OrderId = Guid.Parse("01900000-0000-7000-8000-000000000001");

    [Fact]
    public void An_outbox_row_travels_as_a_binary_mode_cloud_event_and_reads_back()
    {
        var row = Row(OrderPlaced.EventType, Payload());
        var trace = new Dictionary<string, string> { ["traceparent"] = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", ["tracestate"] = "vendor=1" };

        var message = CloudEventEnvelope.ToTransportMessage(row, trace);

        Assert.Equal(row.MessageId.ToString(), message.MessageId);
        Assert.Equal(row.Key, message.Key);
        Assert.Equal(row.Destination, message.Destination);
        Assert.Equal(row.MessageId.ToString(), message.Headers["ce_id"]);
        Assert.Equal(OrderPlaced.EventType, message.Headers["ce_type"]);
        Assert.Equal("1.0", message.Headers["ce_specversion"]);
        Assert.Equal(CloudEventEnvelope.Source.ToString(), message.Headers["ce_source"]);
        Assert.Equal(row.Key, message.Headers["ce_subject"]);
        Assert.Equal(row.OccurredAt, DateTimeOffset.Parse(message.Headers["ce_time"], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("application/json", message.Headers["content-type"]);
        Assert.Equal(trace["traceparent"], message.Headers["traceparent"]);
        Assert.Equal(trace["tracestate"], message.Headers["tracestate"]);
        Assert.False(message.Headers.ContainsKey("ce_datacontenttype")); // the binding's content-type carries it

        var cloudEvent = CloudEventEnvelope.Read(message);

        Assert.Equal(CloudEventsSpecVersion.V1_0, cloudEvent.SpecVersion);
        Assert.Equal(row.MessageId.ToString(), cloudEvent.Id);
        Assert.Equal(row.OccurredAt, cloudEvent.Time);
        var data = Assert.IsType<JsonElement>(cloudEvent.Data);
        Assert.Equal(OrderId, data.GetProperty("orderId").GetGuid());
        Assert.Equal(CloudEventEnvelope.Time(message), row.OccurredAt);
    }

    [Theory]
    [InlineData("ce_specversion", null, "ce_specversion")]
    [InlineData("ce_specversion", "0.1", "ce_specversion")]
    [InlineData("ce_source", null, "source")]
    [InlineData("ce_type", null, "type")]
    [InlineData("ce_time", "yesterday", "time")]
    [InlineData("content-type", "application/json; charset=nonsense", null)]
    public void A_message_missing_or_with_malformed_attributes_is_an_invalid_envelope(string header, string? value, string? named)
    {
        var message = CloudEventEnvelope.ToTransportMessage(Row(OrderPlaced.EventType, Payload()), new Dictionary<string, string>());
        var headers = new Dictionary<string, string>(message.Headers);
        if (value is null)
        {
            headers.Remove(header);
        }
        else
        {
            headers[header] = value;
        }

        var failure = Assert.Throws<InvalidEnvelopeException>(() => CloudEventEnvelope.Read(message with { Headers = headers }));

        Assert.IsAssignableFrom<PermanentMessageException>(failure);
        if (named is not null)
        {
            Assert.Contains(named, failure.Message, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public void A_body_that_is_not_json_is_an_invalid_envelope()
    {
        var message = CloudEventEnvelope.ToTransportMessage(Row(OrderPlaced.EventType, Payload()), new Dictionary<string, string>());

        Assert.Throws<InvalidEnvelopeException>(() => CloudEventEnvelope.Read(message with { Body = Encoding.UTF8.GetBytes("{\"orderId\":") }));
    }

    [Fact]
    public void A_message_id_that_is_not_the_event_id_is_an_invalid_envelope()
    {
        var message = CloudEventEnvelope.ToTransportMessage(Row(OrderPlaced.EventType, Payload()), new Dictionary<string, string>());

        Assert.Throws<InvalidEnvelopeException>(() => CloudEventEnvelope.Read(message with { MessageId = Guid.NewGuid().ToString() }));
    }

    [Fact]
    public void The_handler_reads_its_current_version_as_it_is()
    {
        var (type, data) = OrderPlacedHandler.Types.Read(Event(OrderPlaced.EventType, Payload()));

        Assert.Equal(OrderPlaced.EventType, type);
        Assert.Equal("SKU-1", data.Deserialize(MessagingJsonContext.Default.OrderPlaced)!.Sku);
    }

    [Fact]
    public void The_handler_upcasts_the_older_version_into_the_current_shape()
    {
        var v0 = $$"""{"orderId":"{{OrderId}}","product":"SKU-OLD","quantity":3,"amount":7.50,"placedAt":"2026-01-01T00:00:00+00:00"}""";

        var (type, data) = OrderPlacedHandler.Types.Read(Event(OrderPlacedHandler.LegacyEventType, v0));

        Assert.Equal(OrderPlaced.EventType, type);
        var placed = data.Deserialize(MessagingJsonContext.Default.OrderPlaced)!;
        Assert.Equal(new OrderPlaced(OrderId, "unknown", "SKU-OLD", 3, 7.50m, new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero)), placed);
    }

    [Theory]
    [InlineData(".v2")]   // newer than this code
    [InlineData(".v17")]
    [InlineData("")]      // no version at all
    public void A_version_the_handler_cannot_read_is_an_unknown_type(string suffix)
    {
        var (name, _) = EventTypeRegistry.Parse(OrderPlaced.EventType);

        var failure = Assert.Throws<UnknownEventTypeException>(() => OrderPlacedHandler.Types.Read(Event(name + suffix, Payload())));

        Assert.IsAssignableFrom<PermanentMessageException>(failure);
        Assert.Equal(name + suffix, failure.EventType);
    }

    [Fact]
    public void Another_type_is_an_unknown_type()
    {
        Assert.Throws<UnknownEventTypeException>(() => OrderPlacedHandler.Types.Read(Event("company_starter.orders.order-shipped.v1", Payload())));
    }

    [Fact]
    public void Data_that_is_not_an_object_is_an_invalid_envelope()
    {
        Assert.Throws<InvalidEnvelopeException>(() => OrderPlacedHandler.Types.Read(Event(OrderPlaced.EventType, "[1,2]")));
    }

    [Fact]
    public void Upcasters_chain_version_by_version_and_refuse_to_go_down()
    {
        var registry = new EventTypeRegistry()
            .Current("x.thing.v3")
            .Upcast("x.thing.v1", "x.thing.v2", v1 => { v1["b"] = v1["a"]!.GetValue<int>() * 2; return v1; })
            .Upcast("x.thing.v2", "x.thing.v3", v2 => { v2["c"] = v2["b"]!.GetValue<int>() + 1; return v2; });

        var (type, data) = registry.Read(Event("x.thing.v1", """{"a":5}"""));

        Assert.Equal("x.thing.v3", type);
        Assert.Equal(11, data["c"]!.GetValue<int>());
        Assert.Throws<ArgumentException>(() => registry.Upcast("x.thing.v3", "x.thing.v2", node => node));
        Assert.Throws<ArgumentException>(() => registry.Upcast("x.thing.v1", "y.other.v2", node => node));
    }

    private static OutboxMessage Row(string type, string payload) => new()
    {
        Sequence = 1,
        MessageId = Guid.Parse("01900000-0000-7000-8000-0000000000aa"),
        Destination = "orders",
        Key = OrderId.ToString(),
        Type = type,
        Payload = payload,
        OccurredAt = new DateTimeOffset(2026, 1, 1, 12, 0, 0, 123, TimeSpan.Zero),
    };

    private static CloudEvent Event(string type, string payload) =>
        CloudEventEnvelope.Read(CloudEventEnvelope.ToTransportMessage(Row(type, payload), new Dictionary<string, string>()));

    private static string Payload() =>
        JsonSerializer.Serialize(new OrderPlaced(OrderId, "customer-1", "SKU-1", 2, 19.98m, DateTimeOffset.UnixEpoch), MessagingJsonContext.Default.OrderPlaced);
}
