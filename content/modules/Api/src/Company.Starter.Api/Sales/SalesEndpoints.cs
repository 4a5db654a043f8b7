using System.Globalization;
using Company.Starter.Api.Http;
using Company.Starter.Api.Http.Idempotency;
#if (UseAuth)
using Company.Starter.Api.Security.Authorization;
#endif
using Company.Starter.Data.Sales;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Company.Starter.Api.Sales;

public static class SalesEndpoints
{
    /// <summary>A chart wider than this is unreadable and its query unbounded; ask for a wider bucket instead.</summary>
    public const int MaxBuckets = 2_000;

    public static IEndpointRouteBuilder MapSalesEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var sales = endpoints.MapVersionedGroup("/api/sales").WithTags("Sales");

        sales.MapPost("/", RecordAsync).WithName("RecordSale").WithIdempotency().EvictsCachedReads(OutputCaching.Sales)
#if (UseAuth)
            .RequireAuthorization(Policies.CatalogWriter).ProducesProblem(StatusCodes.Status401Unauthorized)
#endif
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        sales.MapGet("/summary", SummarizeAsync).WithName("SummarizeSales").CacheOutput(OutputCaching.Sales);

        return endpoints;
    }

    private static async Task<Results<Created<ApiResponse<SaleResponse>>, ProblemHttpResult>> RecordAsync(
        SaleRequest request, SalesLedger ledger, TimeProvider clock, CancellationToken cancellationToken)
    {
        var sale = await ledger.RecordAsync(request.ToInput(), cancellationToken);
        if (sale is null)
        {
            return ProblemDetailsDefaults.Problem(
                StatusCodes.Status404NotFound, ProblemCodes.NotFound, "The product does not exist.", $"No product has id {request.ProductId}.");
        }

        return TypedResults.Created($"/api/sales/{sale.Id}", ApiResponse.Ok(SaleResponse.From(sale), clock));
    }

    /// <summary>Sales per time bucket (<c>minute</c>, <c>hour</c> or <c>day</c>) in [from, to); by default the last 24 hours by hour.</summary>
    private static async Task<Results<Ok<ApiResponse<IReadOnlyList<SalesBucket>>>, ProblemHttpResult>> SummarizeAsync(
        SalesLedger ledger,
        TimeProvider clock,
        CancellationToken cancellationToken,
        string bucket = "hour",
        DateTimeOffset? from = null,
        DateTimeOffset? to = null)
    {
        if (!Enum.TryParse<TimeBucket>(bucket, ignoreCase: true, out var width) || !Enum.IsDefined(width) || int.TryParse(bucket, out _))
        {
            return InvalidQuery("bucket must be one of: minute, hour, day.");
        }

        // Bounded first: a "to" of 0001-01-01 has no day before it, and no sale lies outside these bounds anyway.
        if ((from is { } f && !SaleTimeAttribute.IsWithin(f)) || (to is { } t && !SaleTimeAttribute.IsWithin(t)))
        {
            return InvalidQuery(string.Format(CultureInfo.InvariantCulture, SaleTimeAttribute.Message, "from and to"));
        }

        var end = to ?? clock.GetUtcNow();
        var start = from ?? end.AddDays(-1);
        if (start >= end)
        {
            return InvalidQuery("from must be earlier than to.");
        }

        if ((end - start) / width.Width() > MaxBuckets)
        {
            return InvalidQuery($"The range spans more than {MaxBuckets} buckets of one {bucket}; choose a wider bucket or a shorter range.");
        }

        var buckets = await ledger.SummarizeAsync(width, start.UtcDateTime, end.UtcDateTime, cancellationToken);
        return TypedResults.Ok(ApiResponse.Ok(buckets, clock));
    }

    private static ProblemHttpResult InvalidQuery(string detail) => ProblemDetailsDefaults.Problem(
        StatusCodes.Status400BadRequest, ProblemCodes.BadRequest, "The query is invalid.", detail);
}
