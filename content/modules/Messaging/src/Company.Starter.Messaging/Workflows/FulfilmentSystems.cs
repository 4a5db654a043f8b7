namespace Company.Starter.Messaging.Workflows;

// The three systems the fulfilment saga drives. Replace the in-memory implementations (InMemoryFulfilmentSystems.cs)
// with clients of your real warehouse, payment provider and carrier: register yours before AddFulfilmentWorker, or
// after it with services.Replace(...). Each method may be called more than once for the same order (Temporal retries
// an activity whose worker crashed or timed out, even after the call took effect), so each must be idempotent by
// order id: pass the order id (or the reference returned the first time) as the idempotency key of the real call.

/// <summary>Reserves and releases the stock of an order.</summary>
public interface IInventory
{
    /// <summary>Reserves the order's stock (its quantity of its SKU); returns the reservation's reference. The same order reserves once.</summary>
    /// <exception cref="FulfilmentRejectedException">The stock is not there: retrying will not help.</exception>
    Task<string> ReserveAsync(FulfilmentOrder order, CancellationToken cancellationToken);

    /// <summary>Releases the order's reservation, if there is one; releasing twice (or nothing) is not an error.</summary>
    Task ReleaseAsync(Guid orderId, CancellationToken cancellationToken);
}

/// <summary>Charges and refunds the payment of an order.</summary>
public interface IPayments
{
    /// <summary>Charges the order's amount; returns the payment's reference. The same order is charged once.</summary>
    /// <exception cref="FulfilmentRejectedException">The payment was declined: retrying will not help.</exception>
    Task<string> ChargeAsync(FulfilmentOrder order, CancellationToken cancellationToken);

    /// <summary>Refunds the order's payment, if there is one; refunding twice (or nothing) is not an error.</summary>
    Task RefundAsync(Guid orderId, CancellationToken cancellationToken);
}

/// <summary>Ships an order.</summary>
public interface IShipping
{
    /// <summary>Hands the order to the carrier; returns the tracking reference. The same order ships once.</summary>
    /// <exception cref="FulfilmentRejectedException">The carrier refused the parcel: retrying will not help.</exception>
    Task<string> ShipAsync(FulfilmentOrder order, CancellationToken cancellationToken);
}

/// <summary>
/// A system said no for good (out of stock, card declined, address not served). The saga does not retry it and undoes
/// what was done; any other exception is taken as transient and retried by the activity's retry policy.
/// </summary>
public sealed class FulfilmentRejectedException(string message) : Exception(message)
{
    /// <summary>The Temporal error type the activities report a rejection as; the retry policies never retry it.</summary>
    public const string ErrorType = "FulfilmentRejected";
}
