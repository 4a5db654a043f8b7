using System.ComponentModel;
using System.Data.Common;
using Company.Starter.Data.Paging;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Company.Starter.Data.Products;

/// <summary>
/// Reads and writes the product catalogue. Single-product reads go through <see cref="HybridCache"/>
/// (in-process, plus Redis where configured) and every update or delete evicts the entry it made stale.
/// </summary>
public sealed partial class ProductCatalog(
    AppDbContext db,
    HybridCache cache,
    TimeProvider clock,
    IOptions<DataOptions> options,
    ILogger<ProductCatalog> logger)
{
    // Compiled once per process: the by-id read is the hottest query and skips LINQ translation entirely.
    private static readonly Func<AppDbContext, long, CancellationToken, Task<Product?>> FindById =
        EF.CompileAsyncQuery((AppDbContext context, long id, CancellationToken _) =>
            context.Products.AsNoTracking().FirstOrDefault(p => p.Id == id));

    // The keyset queries, compiled once too. The first page needs no seek; the pages after it seek past the last row
    // of the page before with the database's own form of "(name, id) after (@name, @id)": PageAfter, in
    // ProductCatalog.<Provider>.cs.
    private static readonly Func<AppDbContext, int, IAsyncEnumerable<Product>> FirstPage =
        EF.CompileAsyncQuery((AppDbContext context, int take) =>
            context.Products.AsNoTracking().OrderBy(p => p.Name).ThenBy(p => p.Id).Take(take));

    private readonly HybridCacheEntryOptions _entryOptions = new()
    {
        Expiration = options.Value.CacheDuration,
        LocalCacheExpiration = options.Value.CacheDuration,
    };

    /// <summary>The largest page <see cref="ListAsync"/> returns.</summary>
    public const int MaxPageSize = 100;

    public static string CacheKey(long id) => $"product:{id}";

    private static readonly HybridCacheEntryOptions CacheOnly = new() { Flags = HybridCacheEntryFlags.DisableUnderlyingData };

    /// <summary>
    /// One product, from the cache when it holds it. Misses are read from the database and cached only when the product
    /// exists: a cached "not found" could outlive the insert that makes it wrong (HybridCache writes Redis in the
    /// background, so an eviction can land before it). Writes evict what they change.
    /// </summary>
    public async Task<Product?> FindAsync(long id, CancellationToken cancellationToken = default)
    {
        var key = CacheKey(id);
        var cached = await cache.GetOrCreateAsync(
            key,
            static _ => ValueTask.FromResult<CachedProduct?>(null),
            CacheOnly,
            cancellationToken: cancellationToken);
        if (cached is not null)
        {
            return cached.ToProduct();
        }

        var product = await FindById(db, id, cancellationToken);
        if (product is not null)
        {
            await cache.SetAsync(key, CachedProduct.From(product), _entryOptions, cancellationToken: cancellationToken);
        }

        return product;
    }

    /// <summary>Lists products ordered by name (then id, to break ties), <paramref name="limit"/> at a time.</summary>
    public async Task<Page<Product>> ListAsync(int limit, string? cursor, CancellationToken cancellationToken = default)
    {
        limit = Math.Clamp(limit, 1, MaxPageSize);
        var after = string.IsNullOrEmpty(cursor) ? null : KeysetCursor<string>.Decode(cursor);

        // One row more than asked tells whether another page exists without a COUNT(*).
        var query = after is null ? FirstPage(db, limit + 1) : PageAfter(db, after.Key, after.Id, limit + 1);
        var rows = new List<Product>(limit + 1);
        await foreach (var row in query.WithCancellation(cancellationToken))
        {
            rows.Add(row);
        }

        if (rows.Count <= limit)
        {
            return new Page<Product>(rows, NextCursor: null);
        }

        rows.RemoveAt(limit);
        var last = rows[^1];
        return new Page<Product>(rows, new KeysetCursor<string>(last.Name, last.Id).Encode());
    }

    public async Task<Product> CreateAsync(ProductInput input, CancellationToken cancellationToken = default)
    {
        var now = Now();
        var product = new Product
        {
            Sku = input.Sku,
            Name = input.Name,
            Price = input.Price,
            CreatedAt = now,
            UpdatedAt = now,
            Version = 1,
            OwnerId = input.OwnerId,
        };

        db.Products.Add(product);
        await SaveAsync(cancellationToken);
        LogCreated(logger, product.Id, product.Sku);
        return product;
    }

    /// <summary>
    /// Replaces a product's fields if it is still at <paramref name="expectedVersion"/>.
    /// Returns null when it does not exist; throws <see cref="DataConflictException"/> when someone else changed it first.
    /// </summary>
    public async Task<Product?> UpdateAsync(long id, ProductInput input, long expectedVersion, CancellationToken cancellationToken = default)
    {
        var product = await db.Products.FirstOrDefaultAsync(p => p.Id == id, cancellationToken);
        if (product is null)
        {
            return null;
        }

        // Compare against the version the client saw, not the one just read: that is what makes it optimistic.
        db.Entry(product).Property(p => p.Version).OriginalValue = expectedVersion;
        product.Sku = input.Sku;
        product.Name = input.Name;
        product.Price = input.Price;
        product.UpdatedAt = Now();

        await SaveAsync(cancellationToken);
        await cache.RemoveAsync(CacheKey(id), cancellationToken);
        return product;
    }

    /// <summary>Deletes a product; false when it does not exist; a conflict when sales still refer to it.</summary>
    public async Task<bool> DeleteAsync(long id, CancellationToken cancellationToken = default)
    {
        int deleted;
        try
        {
            deleted = await db.Products.Where(p => p.Id == id).ExecuteDeleteAsync(cancellationToken);
        }
        catch (DbException ex) when (DatabaseErrors.IsForeignKeyViolation(ex))
        {
            throw new DataConflictException(DataConflictException.InUse, "The product has sales and cannot be deleted.", ex);
        }

        await cache.RemoveAsync(CacheKey(id), cancellationToken);
        return deleted > 0;
    }

    /// <summary>
    /// The current time at the precision the databases keep (PostgreSQL: microseconds), so that what a write returns
    /// equals what a later read returns.
    /// </summary>
    private DateTime Now()
    {
        var now = clock.GetUtcNow().UtcDateTime;
        return now.AddTicks(-(now.Ticks % TimeSpan.TicksPerMicrosecond));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Created product {ProductId} with SKU {Sku}")]
    private static partial void LogCreated(ILogger logger, long productId, string sku);

    private async Task SaveAsync(CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException ex)
        {
            db.ChangeTracker.Clear();
            throw new DataConflictException(
                DataConflictException.ConcurrencyConflict,
                "The product was changed by someone else. Read it again and reapply your change.",
                ex);
        }
        catch (DbUpdateException ex) when (DatabaseErrors.IsUniqueViolation(ex))
        {
            db.ChangeTracker.Clear();
            throw new DataConflictException(DataConflictException.DuplicateKey, "A product with this SKU already exists.", ex);
        }
    }

    /// <summary>
    /// What the cache holds for a product. Immutable and marked so (sealed, <see cref="ImmutableObjectAttribute"/>):
    /// HybridCache then hands out its in-process copy as it is, where for a mutable type such as the
    /// <see cref="Product"/> entity it deserializes a new copy on every hit. Readers get a new <see cref="Product"/>
    /// from <see cref="ToProduct"/>, so nothing they change reaches the cache. Keep the fields in step with Product.
    /// </summary>
    [ImmutableObject(true)]
    private sealed record CachedProduct(
        long Id, string Sku, string Name, decimal Price, DateTime CreatedAt, DateTime UpdatedAt, long Version, string? OwnerId)
    {
        public static CachedProduct From(Product product) => new(
            product.Id, product.Sku, product.Name, product.Price, product.CreatedAt, product.UpdatedAt, product.Version, product.OwnerId);

        public Product ToProduct() => new()
        {
            Id = Id,
            Sku = Sku,
            Name = Name,
            Price = Price,
            CreatedAt = CreatedAt,
            UpdatedAt = UpdatedAt,
            Version = Version,
            OwnerId = OwnerId,
        };
    }
}
