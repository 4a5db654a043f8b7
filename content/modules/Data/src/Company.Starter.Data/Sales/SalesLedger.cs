using Company.Starter.Data.Products;
using Microsoft.EntityFrameworkCore;

namespace Company.Starter.Data.Sales;

/// <summary>Records sales and aggregates them into time buckets for dashboards.</summary>
public sealed partial class SalesLedger(AppDbContext db, ProductCatalog catalog, SalesMetrics metrics, TimeProvider clock)
{
    /// <summary>Records a sale at the product's current price; null when the product does not exist.</summary>
    public async Task<Sale?> RecordAsync(SaleInput input, CancellationToken cancellationToken = default)
    {
        var product = await catalog.FindAsync(input.ProductId, cancellationToken);
        if (product is null)
        {
            return null;
        }

        var sale = new Sale
        {
            ProductId = product.Id,
            Quantity = input.Quantity,
            UnitPrice = product.Price,
            OccurredAt = (input.OccurredAt ?? clock.GetUtcNow().UtcDateTime).ToUniversalTime(),
        };

        db.Sales.Add(sale);
        await db.SaveChangesAsync(cancellationToken);
        metrics.Recorded(sale);
        return sale;
    }

    /// <summary>
    /// The latest <paramref name="last"/> sales of each of <paramref name="productIds"/>, oldest first, in ONE statement
    /// whatever the number of products: EF Core turns the correlated Take into ROW_NUMBER() OVER (PARTITION BY ...).
    /// It is what batched loaders (GraphQL's Product.sales) call instead of one query per product.
    /// </summary>
    public async Task<ILookup<long, Sale>> LatestForProductsAsync(
        IReadOnlyCollection<long> productIds, int last, CancellationToken cancellationToken = default)
    {
        var sales = await db.Products.AsNoTracking()
            .Where(product => productIds.Contains(product.Id))
            .SelectMany(product => db.Sales.AsNoTracking()
                .Where(sale => sale.ProductId == product.Id)
                .OrderByDescending(sale => sale.OccurredAt).ThenByDescending(sale => sale.Id)
                .Take(last))
            .ToListAsync(cancellationToken);

        return sales
            .OrderBy(sale => sale.OccurredAt).ThenBy(sale => sale.Id)
            .ToLookup(sale => sale.ProductId);
    }

    /// <summary>
    /// Sales per <paramref name="bucket"/> in [<paramref name="from"/>, <paramref name="to"/>), oldest first; empty buckets
    /// are left out. The grouping runs in the database with its native time functions (QueryBucketsAsync, in
    /// SalesLedger.&lt;Provider&gt;.cs), so only the buckets travel.
    /// </summary>
    public async Task<IReadOnlyList<SalesBucket>> SummarizeAsync(
        TimeBucket bucket, DateTime from, DateTime to, CancellationToken cancellationToken = default)
    {
        from = from.ToUniversalTime();
        to = to.ToUniversalTime();

        // A span of our own around the query: the trace shows what was asked, next to the database's child span.
        using var activity = DataTelemetry.ActivitySource.StartActivity("sales.summarize");
        activity?.SetTag("sales.bucket", bucket.ToString().ToLowerInvariant());
        activity?.SetTag("sales.from", from.ToString("O"));
        activity?.SetTag("sales.to", to.ToString("O"));
        var rows = await QueryBucketsAsync(bucket, from, to, cancellationToken);
        activity?.SetTag("sales.buckets", rows.Count);
        return rows;
    }
}
