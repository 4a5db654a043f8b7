namespace Company.Starter.Messaging.Workflows;

/// <summary>
/// What the API does with an order's fulfilment workflow. <see cref="TemporalFulfilmentWorkflows"/> talks to Temporal;
/// <see cref="UnavailableFulfilmentWorkflows"/> stands in when no Temporal server is configured. Every method throws
/// <see cref="WorkflowsUnavailableException"/> when the workflows cannot be reached, which the endpoints answer with 503.
/// </summary>
public interface IFulfilmentWorkflows
{
    /// <summary>
    /// Starts the fulfilment of <paramref name="order"/> (an order that exists: the caller looked it up); false when the
    /// order already has one (running or finished).
    /// </summary>
    Task<bool> StartAsync(FulfilmentOrder order, CancellationToken cancellationToken);

    /// <summary>The order's fulfilment status; null when the order has none.</summary>
    Task<FulfilmentStatus?> GetStatusAsync(Guid orderId, CancellationToken cancellationToken);

    /// <summary>Asks the order's fulfilment to cancel; <see cref="FulfilmentCancel.TooLate"/> once it is shipping or finished.</summary>
    Task<FulfilmentCancel> CancelAsync(Guid orderId, CancellationToken cancellationToken);
}

/// <summary>The answer to a cancel request.</summary>
public enum FulfilmentCancel
{
    /// <summary>The signal was delivered: the saga stops before its next step and undoes what it did.</summary>
    Requested,

    /// <summary>The order has no fulfilment.</summary>
    NotFound,

    /// <summary>The order is shipping or its fulfilment has finished: nothing to cancel.</summary>
    TooLate,
}

/// <summary>The workflows are off (no <c>ConnectionStrings:temporal</c>) or the Temporal server cannot be reached now.</summary>
public sealed class WorkflowsUnavailableException(string message, bool transient, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>True when retrying later may succeed (the server is down); false when the workflows are not configured.</summary>
    public bool Transient { get; } = transient;
}
