using System.ComponentModel.DataAnnotations;
using Company.Starter.Api.Http;
using Company.Starter.Api.Http.Access;
using Company.Starter.Api.Http.Idempotency;
using Company.Starter.Data;
using Company.Starter.Data.Products;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Company.Starter.Api.Products;

public static class ProductEndpoints
{
    public const int DefaultPageSize = 20;

    public static IEndpointRouteBuilder MapProductEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var products = endpoints.MapVersionedGroup("/api/products").WithTags("Products");

        products.MapGet("/", ListAsync).WithName("ListProducts").CacheOutput(OutputCaching.Products);
        products.MapGet("/{id:long}", GetAsync).WithName("GetProduct")
            .Produces(StatusCodes.Status304NotModified).ProducesProblem(StatusCodes.Status404NotFound);
        // Each operation declares the problems of its own (the group declares the shared 400, 429 and 503), so that a
        // generated client knows every status it must handle.
        // Reads are public. Catalogue writers add products; only a product's owner (or an admin) may change it (checked
        // in UpdateAsync, with the product), and only admins may delete. What that takes (if anything: an app without
        // users lets everyone) is up to IEndpointAccess, which also documents the 401 and 403 answers it adds.
        products.MapPost("/", CreateAsync).WithName("CreateProduct").WithIdempotency().EvictsCachedReads(OutputCaching.Products)
            .RequireAccess(EndpointAccess.CatalogWriter)
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        products.MapPut("/{id:long}", UpdateAsync).WithName("UpdateProduct").EvictsCachedReads(OutputCaching.Products)
            .RequireAccess(EndpointAccess.ProductOwner)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed).ProducesProblem(StatusCodes.Status428PreconditionRequired);
        products.MapDelete("/{id:long}", DeleteAsync).WithName("DeleteProduct").EvictsCachedReads(OutputCaching.Products)
            .RequireAccess(EndpointAccess.Admin)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);

        return endpoints;
    }

    /// <summary>Lists products by name, a page at a time; pass the previous page's <c>nextCursor</c> to continue.</summary>
    private static async Task<Ok<ApiListResponse<ProductResponse>>> ListAsync(
        ProductCatalog catalog,
        TimeProvider clock,
        CancellationToken cancellationToken,
        [Range(1, ProductCatalog.MaxPageSize)] int limit = DefaultPageSize,
        string? cursor = null)
    {
        var page = await catalog.ListAsync(limit, cursor, cancellationToken);
        return TypedResults.Ok(ApiResponse.Page(page.Items.Select(ProductResponse.From).ToList(), page.NextCursor, clock));
    }

    /// <summary>One product, with its version as the <c>ETag</c>; <c>If-None-Match</c> with that tag answers 304.</summary>
    private static async Task<Results<Ok<ApiResponse<ProductResponse>>, StatusCodeHttpResult, ProblemHttpResult>> GetAsync(
        long id, HttpContext http, ProductCatalog catalog, TimeProvider clock, CancellationToken cancellationToken)
    {
        var product = await catalog.FindAsync(id, cancellationToken);
        if (product is null)
        {
            return NotFound(id);
        }

        http.Response.Headers.ETag = EntityTags.For(product.Version);
        return EntityTags.IsCurrent(http.Request.Headers.IfNoneMatch, product.Version)
            ? TypedResults.StatusCode(StatusCodes.Status304NotModified)
            : TypedResults.Ok(ApiResponse.Ok(ProductResponse.From(product), clock));
    }

    private static async Task<Created<ApiResponse<ProductResponse>>> CreateAsync(
        ProductRequest request,
        HttpContext http,
        ProductCatalog catalog,
        IProductAccess access,
        TimeProvider clock,
        CancellationToken cancellationToken)
    {
        var product = await catalog.CreateAsync(request.ToInput() with { OwnerId = access.OwnerOf(http.User) }, cancellationToken);
        http.Response.Headers.ETag = EntityTags.For(product.Version);
        return TypedResults.Created($"/api/products/{product.Id}", ApiResponse.Ok(ProductResponse.From(product), clock));
    }

    /// <summary>
    /// Replaces a product if it is still at the version the client read: <c>If-Match: "3"</c> (412 when stale) or
    /// <c>"version": 3</c> in the body (409 when stale). Without either the update is refused with 428.
    /// </summary>
    private static async Task<Results<Ok<ApiResponse<ProductResponse>>, ProblemHttpResult>> UpdateAsync(
        long id,
        ProductUpdateRequest request,
        HttpContext http,
        ProductCatalog catalog,
        IProductAccess access,
        TimeProvider clock,
        CancellationToken cancellationToken)
    {
        // Resource-based authorization: the decision needs the product, so it is made here rather than by a policy on the route.
        var current = await catalog.FindAsync(id, cancellationToken);
        if (current is null)
        {
            return NotFound(id);
        }

        if (!await access.MayChangeAsync(http.User, current))
        {
            return ProblemDetailsDefaults.Problem(
                StatusCodes.Status403Forbidden, ProblemCodes.Forbidden, "Only the product's owner or an admin may change it.");
        }

        if (!EntityTags.TryReadIfMatch(http.Request.Headers.IfMatch, out var ifMatch))
        {
            return ProblemDetailsDefaults.Problem(
                StatusCodes.Status400BadRequest, ProblemCodes.BadRequest, "The If-Match header is invalid.", "Send one strong ETag as returned by GET, e.g. If-Match: \"3\".");
        }

        if ((ifMatch ?? request.Version) is not { } expectedVersion)
        {
            return ProblemDetailsDefaults.Problem(
                StatusCodes.Status428PreconditionRequired,
                ProblemCodes.PreconditionRequired,
                "The version you read is required.",
                "Send the ETag you read in If-Match, or the version in the body, so that a concurrent change is not overwritten.");
        }

        Product? product;
        try
        {
            product = await catalog.UpdateAsync(id, request.ToInput(), expectedVersion, cancellationToken);
        }
        catch (DataConflictException conflict) when (ifMatch is not null && conflict.Code == DataConflictException.ConcurrencyConflict)
        {
            return ProblemDetailsDefaults.Problem(
                StatusCodes.Status412PreconditionFailed, ProblemCodes.PreconditionFailed, "The product was changed by someone else.", conflict.Message);
        }

        if (product is null)
        {
            return NotFound(id);
        }

        http.Response.Headers.ETag = EntityTags.For(product.Version);
        return TypedResults.Ok(ApiResponse.Ok(ProductResponse.From(product), clock));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        long id, ProductCatalog catalog, CancellationToken cancellationToken) =>
        await catalog.DeleteAsync(id, cancellationToken) ? TypedResults.NoContent() : NotFound(id);

    private static ProblemHttpResult NotFound(long id) => ProblemDetailsDefaults.Problem(
        StatusCodes.Status404NotFound, ProblemCodes.NotFound, "The product does not exist.", $"No product has id {id}.");
}
