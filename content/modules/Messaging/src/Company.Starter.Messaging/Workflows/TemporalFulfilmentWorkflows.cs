using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Temporalio.Api.Enums.V1;
using Temporalio.Client;
using Temporalio.Exceptions;

namespace Company.Starter.Messaging.Workflows;

/// <summary>
/// Starts, queries and signals fulfilment workflows on Temporal. The client is lazy (it connects on first use), so the
/// API starts while Temporal is down; a call then fails with <see cref="WorkflowsUnavailableException"/> (a 503) and a
/// warning, and the next call tries to connect again. Every call is bounded by
/// <see cref="FulfilmentOptions.RequestTimeout"/>.
/// </summary>
public sealed partial class TemporalFulfilmentWorkflows(
    ITemporalClient client,
    IOptions<FulfilmentOptions> options,
    ILogger<TemporalFulfilmentWorkflows> logger) : IFulfilmentWorkflows
{
    public Task<bool> StartAsync(FulfilmentOrder order, CancellationToken cancellationToken) => CallAsync(async rpc =>
    {
        try
        {
            await client.StartWorkflowAsync(
                (FulfilmentWorkflow workflow) => workflow.RunAsync(order),
                new WorkflowOptions(FulfilmentWorkflow.IdFor(order.OrderId), options.Value.TaskQueue)
                {
                    // One fulfilment per order, ever: a second start (a retried request, a double click) is refused
                    // by the server, whether the first run is still going or long finished.
                    IdConflictPolicy = WorkflowIdConflictPolicy.Fail,
                    IdReusePolicy = WorkflowIdReusePolicy.RejectDuplicate,
                    Rpc = rpc,
                });
            return true;
        }
        catch (WorkflowAlreadyStartedException)
        {
            return false;
        }
    }, cancellationToken);

    public Task<FulfilmentStatus?> GetStatusAsync(Guid orderId, CancellationToken cancellationToken) => CallAsync(async rpc =>
    {
        var handle = client.GetWorkflowHandle<FulfilmentWorkflow>(FulfilmentWorkflow.IdFor(orderId));
        var description = await DescribeAsync(handle, rpc);
        if (description is null)
        {
            return null;
        }

        // A finished run's result is its final status, read from the history: no worker needed, unlike a query.
        return description.Status == WorkflowExecutionStatus.Completed
            ? await handle.GetResultAsync<FulfilmentStatus>(rpcOptions: rpc)
            : await handle.QueryAsync(workflow => workflow.Status, new WorkflowQueryOptions { Rpc = rpc });
    }, cancellationToken);

    public Task<FulfilmentCancel> CancelAsync(Guid orderId, CancellationToken cancellationToken) => CallAsync(async rpc =>
    {
        var handle = client.GetWorkflowHandle<FulfilmentWorkflow>(FulfilmentWorkflow.IdFor(orderId));
        var description = await DescribeAsync(handle, rpc);
        if (description is null)
        {
            return FulfilmentCancel.NotFound;
        }

        if (description.Status != WorkflowExecutionStatus.Running)
        {
            return FulfilmentCancel.TooLate;
        }

        // The workflow ignores a cancel once shipping has begun; asking first lets the client hear that as a 409.
        var status = await handle.QueryAsync(workflow => workflow.Status, new WorkflowQueryOptions { Rpc = rpc });
        if (status.CancelRequested)
        {
            return FulfilmentCancel.Requested; // asked before: the same answer, no second signal
        }

        if (status.Step is not (FulfilmentStep.Pending or FulfilmentStep.ReservingStock or FulfilmentStep.Charging))
        {
            return FulfilmentCancel.TooLate;
        }

        await handle.SignalAsync(workflow => workflow.CancelAsync(), new WorkflowSignalOptions { Rpc = rpc });
        return FulfilmentCancel.Requested;
    }, cancellationToken);

    private static async Task<WorkflowExecutionDescription?> DescribeAsync(WorkflowHandle handle, RpcOptions rpc)
    {
        try
        {
            return await handle.DescribeAsync(new WorkflowDescribeOptions { Rpc = rpc });
        }
        catch (RpcException notFound) when (notFound.Code == RpcException.StatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>
    /// Connects if not yet connected (bounded, since a lazy client's first connect has no deadline of its own), runs
    /// the call with the request's deadline, and turns "Temporal cannot be reached" into
    /// <see cref="WorkflowsUnavailableException"/>.
    /// </summary>
    private async Task<T> CallAsync<T>(Func<RpcOptions, Task<T>> call, CancellationToken cancellationToken)
    {
        var timeout = options.Value.RequestTimeout;
        try
        {
            if (!client.Connection.IsConnected)
            {
                await client.Connection.ConnectAsync().WaitAsync(timeout, cancellationToken);
            }

            return await call(new RpcOptions { Timeout = timeout, CancellationToken = cancellationToken });
        }
        catch (Exception failure) when (!cancellationToken.IsCancellationRequested && IsUnreachable(failure))
        {
            LogUnavailable(logger, options.Value.TargetHost, failure);
            throw new WorkflowsUnavailableException("The Temporal server cannot be reached; retry later.", transient: true, failure);
        }
    }

    /// <summary>
    /// The failures that mean "Temporal is not there right now": a connect that failed (the SDK reports it as an
    /// InvalidOperationException while the connection is still not made) or timed out, and the gRPC codes of a server
    /// that is down, overloaded or too slow.
    /// </summary>
    private bool IsUnreachable(Exception failure) => failure switch
    {
        TimeoutException => true,
        RpcException rpc => rpc.Code is RpcException.StatusCode.Unavailable
            or RpcException.StatusCode.DeadlineExceeded
            or RpcException.StatusCode.ResourceExhausted
            or RpcException.StatusCode.Cancelled,
        InvalidOperationException => !client.Connection.IsConnected,
        _ => false,
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "The Temporal server at {TargetHost} cannot be reached; the fulfilment request was answered 503")]
    private static partial void LogUnavailable(ILogger logger, string? targetHost, Exception exception);
}
