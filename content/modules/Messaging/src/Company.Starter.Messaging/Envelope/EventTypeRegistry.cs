using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using CloudNative.CloudEvents;
using Company.Starter.Messaging.Consumers;

namespace Company.Starter.Messaging.Envelope;

/// <summary>
/// The event types one consumer reads, with their versions. A CloudEvents type ends in its version
/// (<c>company_starter.orders.order-placed.v2</c>); a consumer reads the current version of each type it knows and
/// older versions for which it has an upcaster, which rewrites the older data into the newer shape. Anything else (a
/// type it does not know, a version newer than its code or older than its upcasters) is rejected with an
/// <see cref="UnknownEventTypeException"/>: retrying cannot help, so the message goes straight to the dead letters,
/// where it waits for the code that can read it.
/// </summary>
public sealed class EventTypeRegistry
{
    private readonly HashSet<string> _current = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string To, Func<JsonObject, JsonObject> Upcast)> _upcasters = new(StringComparer.Ordinal);

    /// <summary>A type (with its version) this consumer's code reads as it is.</summary>
    public EventTypeRegistry Current(string type)
    {
        Parse(type);
        _current.Add(type);
        return this;
    }

    /// <summary>An older version this consumer reads by rewriting its data into the next version's shape.</summary>
    public EventTypeRegistry Upcast(string from, string to, Func<JsonObject, JsonObject> upcast)
    {
        var (fromName, fromVersion) = Parse(from);
        var (toName, toVersion) = Parse(to);
        if (fromName != toName || toVersion <= fromVersion)
        {
            throw new ArgumentException($"An upcaster goes from an older version of a type to a newer one of the same type, not from '{from}' to '{to}'.", nameof(to));
        }

        _upcasters[from] = (to, upcast);
        return this;
    }

    /// <summary>The types this consumer reads as they are.</summary>
    public IReadOnlyCollection<string> CurrentTypes => _current;

    /// <summary>
    /// The event's current type and its data in that type's shape, upcast as many versions as needed. Throws
    /// <see cref="UnknownEventTypeException"/> for a type or version this consumer cannot read, and
    /// <see cref="InvalidEnvelopeException"/> when the data is not a JSON object.
    /// </summary>
    public (string Type, JsonObject Data) Read(CloudEvent cloudEvent)
    {
        var type = cloudEvent.Type ?? throw new InvalidEnvelopeException("The event has no type.");
        if (!TryParse(type, out _, out _))
        {
            throw new UnknownEventTypeException(type, $"The event type '{type}' carries no version (it must end in .v<number>).");
        }

        var data = cloudEvent.Data switch
        {
            JsonElement { ValueKind: JsonValueKind.Object } element => JsonObject.Create(element)!,
            _ => throw new InvalidEnvelopeException($"The data of '{type}' is not a JSON object."),
        };

        // Each upcaster moves at least one version up, so the chain ends; the bound is a guard against a cycle.
        for (var step = 0; step <= _upcasters.Count; step++)
        {
            if (_current.Contains(type))
            {
                return (type, data);
            }

            if (!_upcasters.TryGetValue(type, out var upcaster))
            {
                break;
            }

            data = upcaster.Upcast(data);
            type = upcaster.To;
        }

        throw new UnknownEventTypeException(
            cloudEvent.Type,
            $"This consumer cannot read '{cloudEvent.Type}' (it reads {string.Join(", ", _current.Concat(_upcasters.Keys).Order(StringComparer.Ordinal))}).");
    }

    /// <summary>Splits <c>name.vN</c> into the name and N.</summary>
    public static (string Name, int Version) Parse(string type) =>
        TryParse(type, out var name, out var version)
            ? (name, version)
            : throw new ArgumentException($"The event type '{type}' must end in .v<number> (e.g. company_starter.orders.order-placed.v1).", nameof(type));

    private static bool TryParse(string type, out string name, out int version)
    {
        var dot = type.LastIndexOf(".v", StringComparison.Ordinal);
        name = dot > 0 ? type[..dot] : string.Empty;
        version = 0;
        return dot > 0 &&
            int.TryParse(type.AsSpan(dot + 2), NumberStyles.None, CultureInfo.InvariantCulture, out version);
    }
}

/// <summary>An event of a type or version the consumer cannot read: sent to the dead letters without retries.</summary>
public sealed class UnknownEventTypeException(string? type, string message) : PermanentMessageException(message)
{
    public string? EventType { get; } = type;
}
