using System.Text.Json.Serialization;

namespace Company.Starter.Messaging.Workflows;

/// <summary>Where an order's fulfilment is. Written by name (<c>"charging"</c>) in workflow payloads and API answers alike.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<FulfilmentStep>))]
public enum FulfilmentStep
{
    /// <summary>Started; nothing done yet.</summary>
    Pending,
    ReservingStock,
    Charging,
    Shipping,

    /// <summary>Done: the stock was reserved, the payment taken and the parcel shipped. A cancel is too late now.</summary>
    Shipped,

    /// <summary>A step failed or a cancel came in: the done steps are being undone, last first.</summary>
    Compensating,

    /// <summary>A step failed for good and every done step was undone.</summary>
    Failed,

    /// <summary>Cancelled on request and every done step was undone.</summary>
    Cancelled,

    /// <summary>An undo step failed too, even after its retries: someone must look at this order (see the failure reason).</summary>
    CompensationFailed,
}

/// <summary>
/// What the fulfilment workflow's <c>Status</c> query answers: the step it is at, the undo steps it ran (in the order
/// it ran them), and why it failed, when it did.
/// </summary>
public sealed record FulfilmentStatus(
    Guid OrderId,
    FulfilmentStep Step,
    bool CancelRequested,
    IReadOnlyList<string> Compensations,
    string? FailureReason,
    DateTimeOffset UpdatedAt)
{
    /// <summary>True once the workflow has nothing more to do (shipped, failed, cancelled or stuck in compensation).</summary>
    [JsonIgnore]
    public bool IsFinished => Step is FulfilmentStep.Shipped or FulfilmentStep.Failed or FulfilmentStep.Cancelled or FulfilmentStep.CompensationFailed;
}

/// <summary>The undo steps, as <see cref="FulfilmentStatus.Compensations"/> names them.</summary>
public static class FulfilmentCompensations
{
    public const string RefundPayment = "RefundPayment";
    public const string ReleaseStock = "ReleaseStock";
}
