using System.Text.Json.Serialization.Metadata;

namespace Company.Starter.Messaging.Events;

/// <summary>
/// An event other services may depend on: its CloudEvents <see cref="Type"/>, which names its version, and its
/// generated JSON code (<see cref="MessagingJsonContext"/>). A breaking change is a new type (<c>.v2</c>) published beside
/// the old one, never a change in place.
/// </summary>
public interface IIntegrationEvent<TSelf> where TSelf : IIntegrationEvent<TSelf>
{
    /// <summary>The CloudEvents <c>type</c>: what happened and in which version of its shape.</summary>
    static abstract string Type { get; }

    /// <summary>How its data is written and read (System.Text.Json source generation).</summary>
    static abstract JsonTypeInfo<TSelf> JsonTypeInfo { get; }
}
