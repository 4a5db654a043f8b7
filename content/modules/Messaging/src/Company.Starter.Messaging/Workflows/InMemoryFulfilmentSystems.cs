using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Company.Starter.Messaging.Workflows;

// Stand-ins for the real systems, so that a new solution runs the saga end to end: they remember what they did per
// order, in this process only, and log it. THIS is the place to call your warehouse, payment provider and carrier
// (see FulfilmentSystems.cs for the contract each call must keep).

/// <summary>An in-process stock ledger: every reservation succeeds.</summary>
public sealed partial class InMemoryInventory(ILogger<InMemoryInventory> logger) : IInventory
{
    private readonly ConcurrentDictionary<Guid, string> _reservations = new();

    /// <summary>The orders with stock reserved now.</summary>
    public IReadOnlyCollection<Guid> Reserved => _reservations.Keys.ToArray();

    public Task<string> ReserveAsync(FulfilmentOrder order, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var orderId = order.OrderId;
        var reference = _reservations.GetOrAdd(orderId, id => $"reservation-{id}");
        LogReserved(logger, orderId, reference);
        return Task.FromResult(reference);
    }

    public Task ReleaseAsync(Guid orderId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_reservations.TryRemove(orderId, out var reference))
        {
            LogReleased(logger, orderId, reference);
        }

        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Stock reserved for order {OrderId} ({Reference})")]
    private static partial void LogReserved(ILogger logger, Guid orderId, string reference);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stock released for order {OrderId} ({Reference})")]
    private static partial void LogReleased(ILogger logger, Guid orderId, string reference);
}

/// <summary>An in-process payment book: every charge succeeds.</summary>
public sealed partial class InMemoryPayments(ILogger<InMemoryPayments> logger) : IPayments
{
    private readonly ConcurrentDictionary<Guid, string> _charges = new();

    /// <summary>The orders charged and not refunded.</summary>
    public IReadOnlyCollection<Guid> Charged => _charges.Keys.ToArray();

    public Task<string> ChargeAsync(FulfilmentOrder order, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var orderId = order.OrderId;
        var reference = _charges.GetOrAdd(orderId, id => $"payment-{id}");
        LogCharged(logger, orderId, reference);
        return Task.FromResult(reference);
    }

    public Task RefundAsync(Guid orderId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_charges.TryRemove(orderId, out var reference))
        {
            LogRefunded(logger, orderId, reference);
        }

        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Payment charged for order {OrderId} ({Reference})")]
    private static partial void LogCharged(ILogger logger, Guid orderId, string reference);

    [LoggerMessage(Level = LogLevel.Information, Message = "Payment refunded for order {OrderId} ({Reference})")]
    private static partial void LogRefunded(ILogger logger, Guid orderId, string reference);
}

/// <summary>An in-process carrier: every parcel ships.</summary>
public sealed partial class InMemoryShipping(ILogger<InMemoryShipping> logger) : IShipping
{
    private readonly ConcurrentDictionary<Guid, string> _shipments = new();

    /// <summary>The orders shipped.</summary>
    public IReadOnlyCollection<Guid> Shipped => _shipments.Keys.ToArray();

    public Task<string> ShipAsync(FulfilmentOrder order, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var orderId = order.OrderId;
        var reference = _shipments.GetOrAdd(orderId, id => $"shipment-{id}");
        LogShipped(logger, orderId, reference);
        return Task.FromResult(reference);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId} shipped ({Reference})")]
    private static partial void LogShipped(ILogger logger, Guid orderId, string reference);
}
