using System.Globalization;
using Company.Starter.Api.Http;
using Company.Starter.Api.Http.Access;
using Company.Starter.Api.Http.Idempotency;
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
            .RequireAccess(EndpointAccess.CatalogWriter)
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

    /// <summary>
    /// Sales per time bucket (<c>minute</c>, <c>hour</c> or <c>day</c>, in any case) in [from, to), RFC 3339 date-times
    /// such as 2026-05-01T00:00:00Z; by default the last 24 hours by hour.
    /// </summary>
    private static async Task<Results<Ok<ApiResponse<IReadOnlyList<SalesBucket>>>, ValidationProblem, ProblemHttpResult>> SummarizeAsync(
        SalesLedger ledger,
        TimeProvider clock,
        CancellationToken cancellationToken,
        string bucket = "hour",
        DateTimeOffset? from = null,
        DateTimeOffset? to = null)
    {
        // Only the names, in any case: Enum.TryParse would also take "1" and flag lists ("minute,hour" reads as hour).
        if (!StrictText.TryParseName<TimeBucket>(bucket, out var width))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>(StringComparer.Ordinal)
            {
                ["bucket"] = [$"The bucket must be one of: {StrictText.Names<TimeBucket>()}."],
            });
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
