using Temporalio.Activities;
using Temporalio.Exceptions;

namespace Company.Starter.Messaging.Workflows;

/// <summary>
/// The saga's steps as Temporal activities: the only place the workflow reaches the outside world. Created per
/// invocation by the worker's service provider (AddScopedActivities), so the systems are injected as in any service.
/// Each is idempotent by order id, because Temporal may run an activity again after it took effect (a worker that
/// crashed before reporting, a StartToCloseTimeout).
/// </summary>
public sealed class FulfilmentActivities(IInventory inventory, IPayments payments, IShipping shipping)
{
    [Activity]
    public Task<string> ReserveStockAsync(FulfilmentOrder order) => RunAsync(token => inventory.ReserveAsync(order, token));

    [Activity]
    public Task ReleaseStockAsync(Guid orderId) => RunAsync(token => inventory.ReleaseAsync(orderId, token));

    [Activity]
    public Task<string> ChargePaymentAsync(FulfilmentOrder order) => RunAsync(token => payments.ChargeAsync(order, token));

    [Activity]
    public Task RefundPaymentAsync(Guid orderId) => RunAsync(token => payments.RefundAsync(orderId, token));

    [Activity]
    public Task<string> ShipAsync(FulfilmentOrder order) => RunAsync(token => shipping.ShipAsync(order, token));

    /// <summary>
    /// Runs a step with the activity's cancellation token (set when the workflow cancels it, the worker shuts down or
    /// the activity timed out) and reports a rejection as a non-retryable failure of type
    /// <see cref="FulfilmentRejectedException.ErrorType"/>, so that the workflow compensates at once instead of retrying
    /// a declined card. Any other exception is left to the retry policy.
    /// </summary>
    private static async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> step)
    {
        try
        {
            return await step(ActivityExecutionContext.Current.CancellationToken);
        }
        catch (FulfilmentRejectedException rejected)
        {
            throw new ApplicationFailureException(rejected.Message, rejected, FulfilmentRejectedException.ErrorType, nonRetryable: true);
        }
    }

    private static Task RunAsync(Func<CancellationToken, Task> step) => RunAsync(async token =>
    {
        await step(token);
        return true;
    });
}
