namespace Company.Starter.Messaging.Workflows;

/// <summary>
/// The fulfilment client of an app with no Temporal server configured: the rest of the app works, and the fulfilment
/// endpoints answer 503 <c>workflows_unavailable</c> saying how to turn the workflows on.
/// </summary>
public sealed class UnavailableFulfilmentWorkflows : IFulfilmentWorkflows
{
    public const string Message =
        "Workflows are off: set ConnectionStrings:temporal to a Temporal server (host:port, e.g. localhost:7233) to turn them on.";

    public Task<bool> StartAsync(FulfilmentOrder order, CancellationToken cancellationToken) => throw Unavailable();

    public Task<FulfilmentStatus?> GetStatusAsync(Guid orderId, CancellationToken cancellationToken) => throw Unavailable();

    public Task<FulfilmentCancel> CancelAsync(Guid orderId, CancellationToken cancellationToken) => throw Unavailable();

    private static WorkflowsUnavailableException Unavailable() => new(Message, transient: false);
}
