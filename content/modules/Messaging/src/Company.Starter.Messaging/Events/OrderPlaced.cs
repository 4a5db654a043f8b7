using System.Text.Json.Serialization.Metadata;

namespace Company.Starter.Messaging.Events;

/// <summary>An order was placed (its row and this event committed together). Keyed by the order's id.</summary>
/// <param name="OrderId">The order.</param>
/// <param name="CustomerId">Who placed it.</param>
/// <param name="Sku">What was ordered.</param>
/// <param name="Quantity">How many.</param>
/// <param name="Amount">The order's total.</param>
/// <param name="PlacedAt">When it was placed.</param>
public sealed record OrderPlaced(Guid OrderId, string CustomerId, string Sku, int Quantity, decimal Amount, DateTimeOffset PlacedAt)
    : IIntegrationEvent<OrderPlaced>
{
    /// <summary>
    /// The CloudEvents type, prefixed with the solution's name so that it is unique among the services that share a
    /// broker; the trailing <c>v1</c> is the version of this record's shape.
    /// </summary>
    public const string EventType = "company_starter.orders.order-placed.v1";

    static string IIntegrationEvent<OrderPlaced>.Type => EventType;

    static JsonTypeInfo<OrderPlaced> IIntegrationEvent<OrderPlaced>.JsonTypeInfo => MessagingJsonContext.Default.OrderPlaced;
}
