using System.Linq.Expressions;
using Microsoft.Extensions.Logging;
using Temporalio.Common;
using Temporalio.Exceptions;
using Temporalio.Workflows;

namespace Company.Starter.Messaging.Workflows;

/// <summary>
/// The order-fulfilment saga: reserve the stock, charge the payment, ship. When a step fails for good (a rejection, or
/// a transient error after its retry policy's last attempt) or a <see cref="CancelAsync"/> signal comes in before
/// shipping, the steps already done are undone in reverse: refund, then release. <see cref="Status"/> answers where it is.
/// </summary>
/// <remarks>
/// Workflow code is replayed from its history after a worker restart, so it must be deterministic: time only from
/// <see cref="Workflow.UtcNow"/>, waiting only with <see cref="Workflow.DelayAsync(TimeSpan, CancellationToken?)"/>,
/// and no I/O, randomness, DateTime.Now or Task.Run here; everything outside goes through
/// <see cref="FulfilmentActivities"/>. Changing the order of the steps breaks the replay of runs in flight: use
/// <see cref="Workflow.Patched(string)"/> for that. The tests replay a recorded run to catch such changes.
/// </remarks>
[Workflow]
public sealed class FulfilmentWorkflow
{
    // Each step's retry policy: bounded, with exponential backoff, never retrying a rejection. The timeout bounds one
    // attempt, so a hung call is retried instead of holding the saga; the real systems' calls must fit in it.
    private static readonly ActivityOptions ReserveStock = Forward(TimeSpan.FromSeconds(30), maximumAttempts: 5);

    // Payments get fewer attempts: a provider that is down for minutes is better answered with a refund than with a
    // customer waiting on a charge.
    private static readonly ActivityOptions ChargePayment = Forward(TimeSpan.FromSeconds(30), maximumAttempts: 3);

    private static readonly ActivityOptions Ship = Forward(TimeSpan.FromMinutes(2), maximumAttempts: 5);

    // Undoing must happen, so it is retried longer (about an hour of attempts with a 5-minute cap) before the saga
    // gives up and reports CompensationFailed for a person to resolve.
    private static readonly ActivityOptions Undo = new()
    {
        StartToCloseTimeout = TimeSpan.FromSeconds(30),
        RetryPolicy = new RetryPolicy
        {
            InitialInterval = TimeSpan.FromSeconds(1),
            BackoffCoefficient = 2,
            MaximumInterval = TimeSpan.FromMinutes(5),
            MaximumAttempts = 20,
        },
    };

    private readonly List<string> _compensations = [];
    private Guid _orderId;
    private FulfilmentStep _step = FulfilmentStep.Pending;
    private bool _cancelRequested;
    private bool _stockMayBeReserved;
    private bool _paymentMayBeCharged;
    private string? _failureReason;
    private DateTimeOffset _updatedAt;

    /// <summary>The workflow id of an order's fulfilment: one per order, so a second start is refused, not run twice.</summary>
    public static string IdFor(Guid orderId) => $"order-{orderId}-fulfilment";

    /// <summary>Where the saga is: the step, the undo steps run so far and why it failed.</summary>
    [WorkflowQuery]
    public FulfilmentStatus Status => new(_orderId, _step, _cancelRequested, _compensations.ToArray(), _failureReason, _updatedAt);

    [WorkflowRun]
    public async Task<FulfilmentStatus> RunAsync(FulfilmentOrder order)
    {
        var orderId = _orderId = order.OrderId;
        MoveTo(FulfilmentStep.Pending);
        try
        {
            if (await StepAsync(FulfilmentStep.ReservingStock, activities => activities.ReserveStockAsync(order), ReserveStock, () => _stockMayBeReserved = true)
                && await StepAsync(FulfilmentStep.Charging, activities => activities.ChargePaymentAsync(order), ChargePayment, () => _paymentMayBeCharged = true)
                && await StepAsync(FulfilmentStep.Shipping, activities => activities.ShipAsync(order), Ship, () => { }))
            {
                MoveTo(FulfilmentStep.Shipped);
                return Status;
            }

            await CompensateAsync(FulfilmentStep.Cancelled);
        }
        catch (ActivityFailureException failure)
        {
            _failureReason = $"{failure.ActivityType} failed: {(failure.InnerException ?? failure).Message}";
            Workflow.Logger.LogWarning("Fulfilment of order {OrderId} failed, compensating: {Reason}", orderId, _failureReason);
            await CompensateAsync(FulfilmentStep.Failed);
        }

        return Status;
    }

    /// <summary>
    /// Asks the saga to stop and undo what it did. Too late once shipping has begun (the parcel is with the carrier):
    /// then the signal is ignored and the order ships. A step in flight finishes first (or exhausts its retries), so
    /// the saga always knows what it has to undo.
    /// </summary>
    [WorkflowSignal]
    public Task CancelAsync()
    {
        if (_step is FulfilmentStep.Pending or FulfilmentStep.ReservingStock or FulfilmentStep.Charging)
        {
            _cancelRequested = true;
            _updatedAt = Now;
        }

        return Task.CompletedTask;
    }

    /// <summary>Runs one forward step unless a cancel came in first; false when cancelled.</summary>
    private async Task<bool> StepAsync(
        FulfilmentStep step,
        Expression<Func<FulfilmentActivities, Task<string>>> activity,
        ActivityOptions options,
        Action attempted)
    {
        if (_cancelRequested)
        {
            return false;
        }

        MoveTo(step);
        try
        {
            await Workflow.ExecuteActivityAsync(activity, options);
            attempted();
        }
        catch (ActivityFailureException failure) when (MayHaveTakenEffect(failure))
        {
            // After timeouts or transient errors nobody knows whether the last attempt reached the system: undo it too
            // (the undo steps are idempotent, and a no-op where nothing was done).
            attempted();
            throw;
        }

        return true;
    }

    /// <summary>Undoes the steps that may have taken effect, last first; each undo is retried on its own policy.</summary>
    private async Task CompensateAsync(FulfilmentStep outcome)
    {
        MoveTo(FulfilmentStep.Compensating);
        var undone = true;
        if (_paymentMayBeCharged)
        {
            undone &= await UndoAsync(FulfilmentCompensations.RefundPayment, activities => activities.RefundPaymentAsync(_orderId));
        }

        if (_stockMayBeReserved)
        {
            undone &= await UndoAsync(FulfilmentCompensations.ReleaseStock, activities => activities.ReleaseStockAsync(_orderId));
        }

        MoveTo(undone ? outcome : FulfilmentStep.CompensationFailed);
    }

    private async Task<bool> UndoAsync(string name, Expression<Func<FulfilmentActivities, Task>> activity)
    {
        try
        {
            await Workflow.ExecuteActivityAsync(activity, Undo);
            _compensations.Add(name);
            return true;
        }
        catch (ActivityFailureException failure)
        {
            // Keep undoing the rest: a stuck refund must not also keep the stock reserved.
            var reason = $"{name} failed: {(failure.InnerException ?? failure).Message}";
            _failureReason = _failureReason is null ? reason : $"{_failureReason}; {reason}";
            Workflow.Logger.LogError("Compensation of order {OrderId} failed, resolve it by hand: {Reason}", _orderId, reason);
            return false;
        }
    }

    /// <summary>A rejection is the system's answer that nothing was done; any other failure leaves it unknown.</summary>
    private static bool MayHaveTakenEffect(ActivityFailureException failure) =>
        failure.InnerException is not ApplicationFailureException { ErrorType: FulfilmentRejectedException.ErrorType };

    private void MoveTo(FulfilmentStep step)
    {
        _step = step;
        _updatedAt = Now;
    }

    /// <summary>The workflow's clock (deterministic on replay), as the UTC instant the status reports.</summary>
    private static DateTimeOffset Now => new(DateTime.SpecifyKind(Workflow.UtcNow, DateTimeKind.Utc));

    private static ActivityOptions Forward(TimeSpan startToClose, int maximumAttempts) => new()
    {
        StartToCloseTimeout = startToClose,
        RetryPolicy = new RetryPolicy
        {
            InitialInterval = TimeSpan.FromSeconds(1),
            BackoffCoefficient = 2,
            MaximumInterval = TimeSpan.FromSeconds(30),
            MaximumAttempts = maximumAttempts,
            NonRetryableErrorTypes = [FulfilmentRejectedException.ErrorType],
        },
    };
}
