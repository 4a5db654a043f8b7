using System.ComponentModel.DataAnnotations;
using Company.Starter.Api.Http;
using Company.Starter.Data.Products;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Company.Starter.Api.Products;

public static class ProductEndpoints
{
    public const int DefaultPageSize = 20;

    public static IEndpointRouteBuilder MapProductEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var products = endpoints.MapGroup("/api/products").WithTags("Products");

        products.MapGet("/", ListAsync).WithName("ListProducts");
        products.MapGet("/{id:long}", GetAsync).WithName("GetProduct");
        products.MapPost("/", CreateAsync).WithName("CreateProduct");
        products.MapPut("/{id:long}", UpdateAsync).WithName("UpdateProduct");
        products.MapDelete("/{id:long}", DeleteAsync).WithName("DeleteProduct");

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

    private static async Task<Results<Ok<ApiResponse<ProductResponse>>, ProblemHttpResult>> GetAsync(
        long id, ProductCatalog catalog, TimeProvider clock, CancellationToken cancellationToken)
    {
        var product = await catalog.FindAsync(id, cancellationToken);
        return product is null
            ? NotFound(id)
            : TypedResults.Ok(ApiResponse.Ok(ProductResponse.From(product), clock));
    }

    private static async Task<Created<ApiResponse<ProductResponse>>> CreateAsync(
        ProductRequest request, ProductCatalog catalog, TimeProvider clock, CancellationToken cancellationToken)
    {
        var product = await catalog.CreateAsync(request.ToInput(), cancellationToken);
        return TypedResults.Created($"/api/products/{product.Id}", ApiResponse.Ok(ProductResponse.From(product), clock));
    }

    private static async Task<Results<Ok<ApiResponse<ProductResponse>>, ProblemHttpResult>> UpdateAsync(
        long id, ProductUpdateRequest request, ProductCatalog catalog, TimeProvider clock, CancellationToken cancellationToken)
    {
        var product = await catalog.UpdateAsync(id, request.ToInput(), request.Version!.Value, cancellationToken);
        return product is null
            ? NotFound(id)
            : TypedResults.Ok(ApiResponse.Ok(ProductResponse.From(product), clock));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        long id, ProductCatalog catalog, CancellationToken cancellationToken) =>
        await catalog.DeleteAsync(id, cancellationToken) ? TypedResults.NoContent() : NotFound(id);

    private static ProblemHttpResult NotFound(long id) => ProblemDetailsDefaults.Problem(
        StatusCodes.Status404NotFound, ProblemCodes.NotFound, "The product does not exist.", $"No product has id {id}.");
}
