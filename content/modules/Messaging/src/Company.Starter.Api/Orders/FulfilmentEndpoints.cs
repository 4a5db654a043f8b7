using System.Globalization;
using Company.Starter.Api.Http;
using Company.Starter.Api.Http.Access;
using Company.Starter.Api.Orders;
using Company.Starter.Messaging.Orders;
using Company.Starter.Messaging.Workflows;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Starts, signals and queries an order's fulfilment workflow (the Temporal saga in
/// Company.Starter.Messaging/Workflows), addressed by the order's id. An order that does not exist is a 404
/// <c>not_found</c>, looked up before Temporal is asked; without a Temporal server the others answer 503
/// <c>workflows_unavailable</c>.
/// </summary>
public static class FulfilmentEndpoints
{
    /// <summary>The problem code of a 503 while the workflows are off or Temporal cannot be reached.</summary>
    public const string WorkflowsUnavailable = "workflows_unavailable";

    /// <summary>The problem code of a 409 when the order's fulfilment was started before.</summary>
    public const string FulfilmentExists = "fulfilment_exists";

    /// <summary>The problem code of a 409 when the order was cancelled: there is nothing left to reserve, charge or ship.</summary>
    public const string OrderCancelled = "order_cancelled";

    /// <summary>The problem code of a 409 when the order is already shipping or its fulfilment has finished.</summary>
    public const string FulfilmentNotCancellable = "fulfilment_not_cancellable";

    /// <summary>How long a client should wait before retrying while Temporal is unreachable.</summary>
    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(5);

    public static WebApplication MapFulfilmentEndpoints(this WebApplication app)
    {
        // The order's own id (a GUID, as GET /api/orders/{id} takes it): a malformed one matches no route, a 404
        // problem, before anything runs.
        var fulfilment = app.MapVersionedGroup("/api/orders/{id:guid}/fulfilment").WithTags("Fulfilment");

        // As for the order itself: reading is public; starting (which charges the payment) and cancelling take what
        // placing an order takes, decided by IEndpointAccess (everyone, until a module signs users in).
        fulfilment.MapPost("/", StartAsync).WithName("StartFulfilment")
            .RequireAccess(EndpointAccess.CatalogWriter)
            .WithSummary("Starts the order's fulfilment: reserve stock, charge, ship, undone in reverse on failure.")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        fulfilment.MapGet("/", GetAsync).WithName("GetFulfilment")
            .RequireAccess(EndpointAccess.Public)
            .WithSummary("The order's fulfilment: its step, the undo steps run and why it failed.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        fulfilment.MapPost("/cancel", CancelAsync).WithName("CancelFulfilment")
            .RequireAccess(EndpointAccess.CatalogWriter)
            .WithSummary("Cancels the order's fulfilment and undoes what it did, unless it is already shipping.")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);

        return app;
    }

    /// <summary>Where an order's fulfilment status is read.</summary>
    public static string StatusUrl(Guid orderId) => $"/api/orders/{orderId}/fulfilment";

    /// <summary>
    /// Starts the order's fulfilment saga with what it needs of the order (id, SKU, quantity, amount); once per order
    /// (a second start is a 409, not a second run).
    /// </summary>
    private static async Task<Results<Accepted<ApiResponse<FulfilmentAcceptedResponse>>, ProblemHttpResult>> StartAsync(
        Guid id, OrderService orders, IFulfilmentWorkflows workflows, HttpContext http, TimeProvider clock, CancellationToken cancellationToken)
    {
        // The database first: an order that does not exist is a 404 whether or not Temporal is there.
        if (await orders.FindAsync(id, cancellationToken) is not { } details)
        {
            return OrderNotFound(id);
        }

        // Also before Temporal: a cancelled order must not be charged and shipped after all.
        if (details.Status == OrderStatus.Cancelled)
        {
            return ProblemDetailsDefaults.Problem(
                StatusCodes.Status409Conflict, OrderCancelled, "The order was cancelled.", $"Order {id} was cancelled; it cannot be fulfilled.");
        }

        try
        {
            return await workflows.StartAsync(FulfilmentOrder.From(details.Order), cancellationToken)
                ? TypedResults.Accepted(StatusUrl(id), ApiResponse.Ok(FulfilmentAcceptedResponse.For(id), clock))
                : ProblemDetailsDefaults.Problem(
                    StatusCodes.Status409Conflict, FulfilmentExists, "The order's fulfilment was started before.", $"Read it at {StatusUrl(id)}.");
        }
        catch (WorkflowsUnavailableException unavailable)
        {
            return Unavailable(unavailable, http);
        }
    }

    /// <summary>The order's fulfilment status, live while it runs and final once it has finished.</summary>
    private static async Task<Results<Ok<ApiResponse<FulfilmentResponse>>, ProblemHttpResult>> GetAsync(
        Guid id, OrderService orders, IFulfilmentWorkflows workflows, HttpContext http, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (await orders.FindAsync(id, cancellationToken) is null)
        {
            return OrderNotFound(id);
        }

        try
        {
            var status = await workflows.GetStatusAsync(id, cancellationToken);
            return status is null
                ? NoFulfilment(id)
                : TypedResults.Ok(ApiResponse.Ok(FulfilmentResponse.From(status), clock));
        }
        catch (WorkflowsUnavailableException unavailable)
        {
            return Unavailable(unavailable, http);
        }
    }

    /// <summary>Asks the order's fulfilment to stop before its next step and undo what it did.</summary>
    private static async Task<Results<Accepted<ApiResponse<FulfilmentAcceptedResponse>>, ProblemHttpResult>> CancelAsync(
        Guid id, OrderService orders, IFulfilmentWorkflows workflows, HttpContext http, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (await orders.FindAsync(id, cancellationToken) is null)
        {
            return OrderNotFound(id);
        }

        try
        {
            return await workflows.CancelAsync(id, cancellationToken) switch
            {
                FulfilmentCancel.Requested => TypedResults.Accepted(StatusUrl(id), ApiResponse.Ok(FulfilmentAcceptedResponse.For(id), clock)),
                FulfilmentCancel.NotFound => NoFulfilment(id),
                _ => ProblemDetailsDefaults.Problem(
                    StatusCodes.Status409Conflict,
                    FulfilmentNotCancellable,
                    "The order's fulfilment can no longer be cancelled.",
                    $"It is shipping or has finished; read it at {StatusUrl(id)}."),
            };
        }
        catch (WorkflowsUnavailableException unavailable)
        {
            return Unavailable(unavailable, http);
        }
    }

    private static ProblemHttpResult OrderNotFound(Guid id) => ProblemDetailsDefaults.Problem(
        StatusCodes.Status404NotFound, ProblemCodes.NotFound, "The order does not exist.", $"No order has id {id}.");

    private static ProblemHttpResult NoFulfilment(Guid id) => ProblemDetailsDefaults.Problem(
        StatusCodes.Status404NotFound, ProblemCodes.NotFound, "The order has no fulfilment.", $"Start it with POST {StatusUrl(id)}.");

    /// <summary>
    /// A 503 the client can act on, never a 500: the workflows are switched off (a warning: retrying will not help until
    /// someone configures Temporal) or Temporal is down (retry after the Retry-After delay).
    /// </summary>
    private static ProblemHttpResult Unavailable(WorkflowsUnavailableException unavailable, HttpContext http)
    {
        if (unavailable.Transient)
        {
            http.Response.Headers.RetryAfter = ((int)RetryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        }

        return ProblemDetailsDefaults.Problem(
            StatusCodes.Status503ServiceUnavailable, WorkflowsUnavailable, "Workflows are unavailable.", unavailable.Message, severity: "warning");
    }
}
