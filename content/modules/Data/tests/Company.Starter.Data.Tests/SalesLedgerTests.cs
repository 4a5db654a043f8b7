using Company.Starter.Data.Products;
using Company.Starter.Data.Sales;
using Company.Starter.Testing;

namespace Company.Starter.Data.Tests;

public sealed class SalesLedgerTests(TestEnvironment environment)
{
    private static readonly DateTime Start = new(2026, 3, 1, 0, 0, 0, DateTimeKind.Utc);

    private static CancellationToken CancellationToken => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Sales_are_summed_into_hour_buckets_in_the_database()
    {
        await using var host = await DataHost.StartAsync(environment);
        var lamp = await CreateProductAsync(host, "Lamp", 2.50m);

        // 09:05 and 09:55 share a bucket; 11:00 opens another; 10:00 has none and is left out; 12:30 is outside the range.
        await RecordAsync(host, lamp.Id, 2, Start.AddHours(9).AddMinutes(5));
        await RecordAsync(host, lamp.Id, 1, Start.AddHours(9).AddMinutes(55));
        await RecordAsync(host, lamp.Id, 4, Start.AddHours(11));
        await RecordAsync(host, lamp.Id, 9, Start.AddHours(12).AddMinutes(30));

        await using var scope = host.CreateScope();
        var buckets = await host.Get<SalesLedger>(scope).SummarizeAsync(TimeBucket.Hour, Start, Start.AddHours(12), CancellationToken);

        Assert.Equal(
            [
                new SalesBucket(Start.AddHours(9), Sales: 2, Units: 3, Revenue: 7.50m),
                new SalesBucket(Start.AddHours(11), Sales: 1, Units: 4, Revenue: 10.00m),
            ],
            buckets);
        Assert.All(buckets, b => Assert.Equal(DateTimeKind.Utc, b.BucketStart.Kind));
    }

    [Fact]
    public async Task Day_buckets_start_at_midnight_utc()
    {
        await using var host = await DataHost.StartAsync(environment);
        var mug = await CreateProductAsync(host, "Mug", 3m);
        await RecordAsync(host, mug.Id, 1, Start.AddHours(23).AddMinutes(59));
        await RecordAsync(host, mug.Id, 1, Start.AddDays(1).AddMinutes(1));

        await using var scope = host.CreateScope();
        var buckets = await host.Get<SalesLedger>(scope).SummarizeAsync(TimeBucket.Day, Start, Start.AddDays(2), CancellationToken);

        Assert.Equal([Start, Start.AddDays(1)], buckets.Select(b => b.BucketStart));
        Assert.All(buckets, b => Assert.Equal(3m, b.Revenue));
    }

    [Fact]
    public async Task A_sale_keeps_the_price_it_was_sold_at()
    {
        await using var host = await DataHost.StartAsync(environment);
        var product = await CreateProductAsync(host, "Pen", 1.20m);
        var sale = await RecordAsync(host, product.Id, 5, Start);

        await using (var scope = host.CreateScope())
        {
            await host.Get<ProductCatalog>(scope).UpdateAsync(product.Id, new ProductInput(product.Sku, "Pen", 9.99m), product.Version, CancellationToken);
        }

        Assert.Equal(1.20m, sale!.UnitPrice);
        await using var read = host.CreateScope();
        var buckets = await host.Get<SalesLedger>(read).SummarizeAsync(TimeBucket.Day, Start, Start.AddDays(1), CancellationToken);
        Assert.Equal(6.00m, Assert.Single(buckets).Revenue);
    }

    [Fact]
    public async Task A_sale_of_an_unknown_product_is_not_recorded()
    {
        await using var host = await DataHost.StartAsync(environment);

        Assert.Null(await RecordAsync(host, productId: 999, quantity: 1, Start));
    }

    private static async Task<Product> CreateProductAsync(DataHost host, string name, decimal price)
    {
        await using var scope = host.CreateScope();
        return await host.Get<ProductCatalog>(scope).CreateAsync(new ProductInput($"SKU-{name}", name, price), CancellationToken);
    }

    private static async Task<Sale?> RecordAsync(DataHost host, long productId, int quantity, DateTime occurredAt)
    {
        await using var scope = host.CreateScope();
        return await host.Get<SalesLedger>(scope).RecordAsync(new SaleInput(productId, quantity, occurredAt), CancellationToken);
    }
}
