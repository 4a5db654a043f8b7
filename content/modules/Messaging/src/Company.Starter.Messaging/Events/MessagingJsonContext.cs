using System.Text.Json;
using System.Text.Json.Serialization;

namespace Company.Starter.Messaging.Events;

/// <summary>
/// The integration events' JSON, generated at build time: web defaults (camelCase names), the form other services
/// read. Add each new event (and each new version of one) here.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(OrderPlaced))]
public sealed partial class MessagingJsonContext : JsonSerializerContext;
