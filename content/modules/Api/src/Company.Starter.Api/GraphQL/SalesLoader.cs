using Company.Starter.Data.Sales;
using GraphQL.DataLoader;

namespace Company.Starter.Api.GraphQL;

/// <summary>
/// Batches <c>Product.sales</c>: every product on a page asks for its sales, and one SQL query answers them all.
/// Scoped to the request (it uses the request's <see cref="SalesLedger"/> and so its DbContext). Resolvers get an
/// <see cref="IDataLoaderResult{T}"/>; GraphQL.NET's execution strategy collects every such result of a level before
/// awaiting any of them, so by the time the first one is awaited every key of the level is queued.
/// </summary>
/// <remarks>
/// GraphQL.NET v8 ships <see cref="IDataLoaderResult"/> in its core package; the ready-made loaders live in the separate
/// GraphQL.DataLoader package, which this small loader stands in for.
/// </remarks>
public sealed class SalesLoader(SalesLedger ledger)
{
    private readonly Lock _lock = new();

    // One open batch per page size: `sales(last: 5)` and `sales(last: 10)` in one document are two queries, not one per product.
    private readonly Dictionary<int, Batch> _open = [];

    /// <summary>The latest <paramref name="last"/> sales of a product, oldest first, loaded with the rest of its batch.</summary>
    public IDataLoaderResult<IReadOnlyList<Sale>> Load(long productId, int last)
    {
        lock (_lock)
        {
            if (!_open.TryGetValue(last, out var batch) || batch.Started)
            {
                batch = new Batch(this, last);
                _open[last] = batch;
            }

            batch.ProductIds.Add(productId);
            return new Result(batch, productId);
        }
    }

    private Task<ILookup<long, Sale>> FetchAsync(IReadOnlyCollection<long> productIds, int last, CancellationToken cancellationToken) =>
        ledger.LatestForProductsAsync(productIds, last, cancellationToken);

    private sealed class Batch(SalesLoader loader, int last)
    {
        private Task<ILookup<long, Sale>>? _fetch;

        public HashSet<long> ProductIds { get; } = [];

        public bool Started => _fetch is not null;

        public Task<ILookup<long, Sale>> GetAsync(CancellationToken cancellationToken)
        {
            lock (loader._lock)
            {
                return _fetch ??= loader.FetchAsync([.. ProductIds], last, cancellationToken);
            }
        }
    }

    private sealed class Result(Batch batch, long productId) : IDataLoaderResult<IReadOnlyList<Sale>>
    {
        public async Task<IReadOnlyList<Sale>> GetResultAsync(CancellationToken cancellationToken = default) =>
            [.. (await batch.GetAsync(cancellationToken))[productId]];

        async Task<object?> IDataLoaderResult.GetResultAsync(CancellationToken cancellationToken) =>
            await GetResultAsync(cancellationToken);
    }
}
