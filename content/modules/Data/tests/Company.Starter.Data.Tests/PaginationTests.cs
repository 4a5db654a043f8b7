using Company.Starter.Data.Paging;
using Company.Starter.Data.Products;
using Company.Starter.Testing;

namespace Company.Starter.Data.Tests;

public sealed class PaginationTests(TestEnvironment environment)
{
    [Fact]
    public async Task Pages_cover_every_product_once_in_name_order()
    {
        await using var host = await DataHost.StartAsync(environment);
        var expected = await SeedAsync(host, Enumerable.Range(1, 23).Select(i => $"Item {i:D3}"));

        var seen = await ReadAllAsync(host, pageSize: 5);

        Assert.Equal(expected.OrderBy(p => p.Name, StringComparer.Ordinal).Select(p => p.Id), seen.Select(p => p.Id));
    }

    [Fact]
    public async Task Equal_names_are_ordered_by_id_and_never_skipped()
    {
        await using var host = await DataHost.StartAsync(environment);
        var expected = await SeedAsync(host, Enumerable.Repeat("Same name", 7));

        var seen = await ReadAllAsync(host, pageSize: 3);

        Assert.Equal(expected.Select(p => p.Id).Order(), seen.Select(p => p.Id));
    }

    [Fact]
    public async Task Inserts_while_paging_neither_repeat_nor_skip_existing_rows()
    {
        await using var host = await DataHost.StartAsync(environment);
        var original = await SeedAsync(host, Enumerable.Range(0, 12).Select(i => $"M {i:D2}"));
        var cancellationToken = TestContext.Current.CancellationToken;

        Page<Product> first;
        await using (var scope = host.CreateScope())
        {
            first = await host.Get<ProductCatalog>(scope).ListAsync(4, cursor: null, cancellationToken);
        }

        // Rows that sort before the cursor would shift an OFFSET page; rows after it must still show up.
        await SeedAsync(host, ["A before everything", "B before too"]);
        var later = await SeedAsync(host, ["Z after everything"]);

        var rest = new List<Product>();
        var cursor = first.NextCursor;
        while (cursor is not null)
        {
            await using var scope = host.CreateScope();
            var page = await host.Get<ProductCatalog>(scope).ListAsync(4, cursor, cancellationToken);
            rest.AddRange(page.Items);
            cursor = page.NextCursor;
        }

        var seen = first.Items.Concat(rest).Select(p => p.Id).ToList();
        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.All(original, p => Assert.Contains(p.Id, seen));
        Assert.Contains(later.Single().Id, seen);
    }

    [Theory]
    [InlineData("not-a-cursor")]
    [InlineData("eyJLZXkiOjF9")] // valid base64url, wrong shape
    [InlineData("%%%")]
    public async Task A_cursor_that_was_not_issued_is_refused(string cursor)
    {
        await using var host = await DataHost.StartAsync(environment);
        await using var scope = host.CreateScope();

        await Assert.ThrowsAsync<InvalidCursorException>(() =>
            host.Get<ProductCatalog>(scope).ListAsync(10, cursor, TestContext.Current.CancellationToken));
    }

    private static async Task<List<Product>> SeedAsync(DataHost host, IEnumerable<string> names)
    {
        var created = new List<Product>();
        foreach (var name in names)
        {
            await using var scope = host.CreateScope();
            var sku = $"SKU-{Guid.NewGuid():N}"[..20];
            created.Add(await host.Get<ProductCatalog>(scope).CreateAsync(new ProductInput(sku, name, 1m), TestContext.Current.CancellationToken));
        }

        return created;
    }

    private static async Task<List<Product>> ReadAllAsync(DataHost host, int pageSize)
    {
        var all = new List<Product>();
        string? cursor = null;
        do
        {
            await using var scope = host.CreateScope();
            var page = await host.Get<ProductCatalog>(scope).ListAsync(pageSize, cursor, TestContext.Current.CancellationToken);
            Assert.InRange(page.Items.Count, 1, pageSize);
            all.AddRange(page.Items);
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        return all;
    }
}
