using Company.Starter.Api.Http;
using Company.Starter.Api.Http.Access;
using Company.Starter.Api.Http.Idempotency;
using Company.Starter.Messaging.Orders;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Company.Starter.Api.Orders;

/// <summary>
/// Places orders and reads them back. Placing one writes the order and its event to the database in one transaction
/// and returns: the API never talks to the broker, so an unreachable broker delays the event, never the order.
/// </summary>
public static class OrderEndpoints
{
    public static IEndpointRouteBuilder MapOrderEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var orders = endpoints.MapVersionedGroup("/api/orders").WithTags("Orders");

        // Reads are public; placing an order takes what adding a product takes (any signed-in user, where the app has
        // users), decided by IEndpointAccess like every other write.
        orders.MapGet("/{id:guid}", GetAsync).WithName("GetOrder")
            .RequireAccess(EndpointAccess.Public)
            .ProducesProblem(StatusCodes.Status404NotFound);
        orders.MapPost("/", PlaceAsync).WithName("PlaceOrder").WithIdempotency()
            .RequireAccess(EndpointAccess.CatalogWriter)
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity);

        return endpoints;
    }

    /// <summary>One order, with its status and the receipt once the worker issued one.</summary>
    private static async Task<Results<Ok<ApiResponse<OrderResponse>>, ProblemHttpResult>> GetAsync(
        Guid id, OrderService orders, TimeProvider clock, CancellationToken cancellationToken)
    {
        var order = await orders.FindAsync(id, cancellationToken);
        return order is null
            ? ProblemDetailsDefaults.Problem(StatusCodes.Status404NotFound, ProblemCodes.NotFound, "The order does not exist.", $"No order has id {id}.")
            : TypedResults.Ok(ApiResponse.Ok(OrderResponse.From(order), clock));
    }

    /// <summary>
    /// Places an order. It is written with its <c>OrderPlaced</c> event in one transaction; the worker publishes the
    /// event, and the order shows its receipt once the worker's consumer handled it.
    /// </summary>
    private static async Task<Created<ApiResponse<OrderResponse>>> PlaceAsync(
        OrderRequest request,
        HttpContext http,
        OrderService orders,
        IProductAccess access,
        TimeProvider clock,
        CancellationToken cancellationToken)
    {
        // Where the app signs users in, the order is the caller's own, whatever the body says.
        var order = await orders.PlaceAsync(request.ToInput(access.OwnerOf(http.User)), cancellationToken);
        return TypedResults.Created($"/api/orders/{order.Id}", ApiResponse.Ok(OrderResponse.From(order), clock));
    }
}
