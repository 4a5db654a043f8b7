using Company.Starter.Messaging.Workflows;

namespace Company.Starter.Api.Orders;

/// <summary>An order's fulfilment as the API reports it: the saga's step, its undo steps so far and why it failed.</summary>
public sealed record FulfilmentResponse(
    Guid OrderId,
    string WorkflowId,
    FulfilmentStep Step,
    bool CancelRequested,
    IReadOnlyList<string> Compensations,
    string? FailureReason,
    DateTimeOffset UpdatedAt)
{
    public static FulfilmentResponse From(FulfilmentStatus status) => new(
        status.OrderId,
        FulfilmentWorkflow.IdFor(status.OrderId),
        status.Step,
        status.CancelRequested,
        status.Compensations,
        status.FailureReason,
        status.UpdatedAt);
}

/// <summary>The answer to a start or a cancel: accepted; follow the fulfilment at <see cref="StatusUrl"/>.</summary>
public sealed record FulfilmentAcceptedResponse(Guid OrderId, string WorkflowId, string StatusUrl)
{
    public static FulfilmentAcceptedResponse For(Guid orderId) =>
        new(orderId, FulfilmentWorkflow.IdFor(orderId), FulfilmentEndpoints.StatusUrl(orderId));
}
