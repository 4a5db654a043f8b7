using Company.Starter.Data.Products;
using Company.Starter.Testing;
using Microsoft.EntityFrameworkCore;

namespace Company.Starter.Data.Tests;

public sealed class ProductCatalogTests(TestEnvironment environment)
{
    private static CancellationToken CancellationToken => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_update_from_a_stale_version_is_refused_and_changes_nothing()
    {
        await using var host = await DataHost.StartAsync(environment);
        var created = await CreateAsync(host, new ProductInput("SKU-1", "Lamp", 10m));

        // Two clients read version 1; the first update wins and moves the row to version 2.
        var first = await UpdateAsync(host, created.Id, new ProductInput("SKU-1", "Desk lamp", 12m), created.Version);
        Assert.Equal(created.Version + 1, first!.Version);

        var conflict = await Assert.ThrowsAsync<DataConflictException>(() =>
            UpdateAsync(host, created.Id, new ProductInput("SKU-1", "Floor lamp", 99m), created.Version));
        Assert.Equal(DataConflictException.ConcurrencyConflict, conflict.Code);

        var stored = await FindAsync(host, created.Id);
        Assert.Equal("Desk lamp", stored!.Name);
        Assert.Equal(12m, stored.Price);
        Assert.Equal(first.Version, stored.Version);
    }

    [Fact]
    public async Task A_duplicate_sku_is_a_conflict_not_a_crash()
    {
        await using var host = await DataHost.StartAsync(environment);
        await CreateAsync(host, new ProductInput("DUP-1", "First", 1m));

        var conflict = await Assert.ThrowsAsync<DataConflictException>(() => CreateAsync(host, new ProductInput("DUP-1", "Second", 2m)));

        Assert.Equal(DataConflictException.DuplicateKey, conflict.Code);
    }

    [Fact]
    public async Task Reads_see_every_write_through_the_cache()
    {
        await using var host = await DataHost.StartAsync(environment);

        // A miss before the row exists must not be remembered once it does: a fresh database gives the first row id 1,
        // so the id looked up before the write is the id the write then gets (asserted, or the check proves nothing).
        Assert.Null(await FindAsync(host, 1));
        var created = await CreateAsync(host, new ProductInput("CACHE-1", "Mug", 4m));
        Assert.Equal(1, created.Id);
        Assert.Equal("Mug", (await FindAsync(host, created.Id))!.Name);

        await UpdateAsync(host, created.Id, new ProductInput("CACHE-1", "Big mug", 5m), created.Version);
        Assert.Equal("Big mug", (await FindAsync(host, created.Id))!.Name);

        await using (var scope = host.CreateScope())
        {
            Assert.True(await host.Get<ProductCatalog>(scope).DeleteAsync(created.Id, CancellationToken));
        }

        Assert.Null(await FindAsync(host, created.Id));
    }

    [Fact]
    public async Task The_owner_is_kept_through_the_database_and_the_cache_and_no_update_changes_it()
    {
        await using var host = await DataHost.StartAsync(environment);
        var created = await CreateAsync(host, new ProductInput("OWN-1", "Chair", 30m, OwnerId: "user-1"));
        Assert.Equal("user-1", created.OwnerId);

        // The first read comes from the database and fills the cache.
        Assert.Equal("user-1", (await FindAsync(host, created.Id))!.OwnerId);

        // Rename the row behind the catalogue's back (no eviction): a read that still sees the old name came from the
        // cache, so its owner is the one the cache kept.
        await using (var scope = host.CreateScope())
        {
            await host.Get<AppDbContext>(scope).Products.Where(p => p.Id == created.Id)
                .ExecuteUpdateAsync(set => set.SetProperty(p => p.Name, "Renamed"), CancellationToken);
        }

        var cached = await FindAsync(host, created.Id);
        Assert.Equal("Chair", cached!.Name);
        Assert.Equal("user-1", cached.OwnerId);

        // An update names no owner of its own: whoever sends it, the product keeps the one who created it.
        var updated = await UpdateAsync(host, created.Id, new ProductInput("OWN-1", "Armchair", 35m, OwnerId: "user-2"), created.Version);
        Assert.Equal("user-1", updated!.OwnerId);
        Assert.Equal("user-1", (await FindAsync(host, created.Id))!.OwnerId);
    }

    [Fact]
    public async Task Updating_or_deleting_a_missing_product_reports_it_missing()
    {
        await using var host = await DataHost.StartAsync(environment);
        await using var scope = host.CreateScope();
        var catalog = host.Get<ProductCatalog>(scope);

        Assert.Null(await catalog.UpdateAsync(424242, new ProductInput("X-1", "Nothing", 1m), 1, CancellationToken));
        Assert.False(await catalog.DeleteAsync(424242, CancellationToken));
    }

    private static async Task<Product> CreateAsync(DataHost host, ProductInput input)
    {
        await using var scope = host.CreateScope();
        return await host.Get<ProductCatalog>(scope).CreateAsync(input, CancellationToken);
    }

    private static async Task<Product?> UpdateAsync(DataHost host, long id, ProductInput input, long version)
    {
        await using var scope = host.CreateScope();
        return await host.Get<ProductCatalog>(scope).UpdateAsync(id, input, version, CancellationToken);
    }

    private static async Task<Product?> FindAsync(DataHost host, long id)
    {
        await using var scope = host.CreateScope();
        return await host.Get<ProductCatalog>(scope).FindAsync(id, CancellationToken);
    }
}
