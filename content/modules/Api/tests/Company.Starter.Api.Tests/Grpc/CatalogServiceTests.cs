using Company.Starter.Api.Grpc;
using Company.Starter.Testing;
using Grpc.Core;

namespace Company.Starter.Api.Tests.Grpc;

/// <summary>The catalogue over gRPC (the tests that also use REST are in CatalogServiceRestTests.cs, there with REST).</summary>
public sealed partial class CatalogServiceTests(TestEnvironment environment)
{
    private static CancellationToken CancellationToken => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_created_product_can_be_read_updated_and_deleted()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var channel = GrpcTesting.CreateChannel(api);
        var client = new Catalog.CatalogClient(channel);

        var created = await client.CreateProductAsync(new CreateProductRequest { Sku = "LAMP-1", Name = " Lamp ", Price = "19.90" }, cancellationToken: CancellationToken);
        Assert.True(created.Id > 0);
        Assert.Equal(1, created.Version);
        Assert.Equal("Lamp", created.Name);
        Assert.Equal(19.90m, decimal.Parse(created.Price, System.Globalization.CultureInfo.InvariantCulture));
        Assert.InRange(created.CreatedAt.ToDateTime(), DateTime.UtcNow.AddMinutes(-5), DateTime.UtcNow.AddMinutes(5));

        var read = await client.GetProductAsync(new GetProductRequest { Id = created.Id }, cancellationToken: CancellationToken);
        Assert.Equal((created.Id, created.Sku, created.Name, created.Price, created.Version), (read.Id, read.Sku, read.Name, read.Price, read.Version));
        // The database keeps microseconds, the clock ticks in 100 ns: the read-back time may be a tick shorter.
        Assert.Equal(created.CreatedAt.ToDateTime(), read.CreatedAt.ToDateTime(), TimeSpan.FromMilliseconds(1));

        var updated = await client.UpdateProductAsync(
            new UpdateProductRequest { Id = created.Id, Sku = "LAMP-1", Name = "Big lamp", Price = "24.50", Version = 1 }, cancellationToken: CancellationToken);
        Assert.Equal(2, updated.Version);
        Assert.Equal("Big lamp", (await client.GetProductAsync(new GetProductRequest { Id = created.Id }, cancellationToken: CancellationToken)).Name);

        await client.DeleteProductAsync(new DeleteProductRequest { Id = created.Id }, cancellationToken: CancellationToken);
        var gone = await GrpcTesting.AssertFailsAsync(StatusCode.NotFound, async () =>
            await client.GetProductAsync(new GetProductRequest { Id = created.Id }, cancellationToken: CancellationToken));
        Assert.Equal("not_found", GrpcTesting.Reason(gone));
    }

    [Fact]
    public async Task A_stale_version_is_aborted_and_the_first_update_stands()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var channel = GrpcTesting.CreateChannel(api);
        var client = new Catalog.CatalogClient(channel);
        var created = await client.CreateProductAsync(new CreateProductRequest { Sku = "MUG-1", Name = "Mug", Price = "5" }, cancellationToken: CancellationToken);
        await client.UpdateProductAsync(
            new UpdateProductRequest { Id = created.Id, Sku = "MUG-1", Name = "Big mug", Price = "6", Version = 1 }, cancellationToken: CancellationToken);

        var stale = await GrpcTesting.AssertFailsAsync(StatusCode.Aborted, async () => await client.UpdateProductAsync(
            new UpdateProductRequest { Id = created.Id, Sku = "MUG-1", Name = "Tiny mug", Price = "1", Version = 1 }, cancellationToken: CancellationToken));

        Assert.Equal("concurrency_conflict", GrpcTesting.Reason(stale));
        var read = await client.GetProductAsync(new GetProductRequest { Id = created.Id }, cancellationToken: CancellationToken);
        Assert.Equal(("Big mug", 2L), (read.Name, read.Version));
    }

    [Fact]
    public async Task A_duplicate_sku_already_exists_and_logs_no_error()
    {
        var errors = new ErrorLog();
        await using var api = await ApiFactory.StartAsync(environment, errors.Register);
        using var channel = GrpcTesting.CreateChannel(api);
        var client = new Catalog.CatalogClient(channel);
        await client.CreateProductAsync(new CreateProductRequest { Sku = "DUP-1", Name = "One", Price = "1" }, cancellationToken: CancellationToken);

        var duplicate = await GrpcTesting.AssertFailsAsync(StatusCode.AlreadyExists, async () =>
            await client.CreateProductAsync(new CreateProductRequest { Sku = "DUP-1", Name = "Two", Price = "2" }, cancellationToken: CancellationToken));

        Assert.Equal("duplicate_key", GrpcTesting.Reason(duplicate));
        Assert.Equal(["sku"], GrpcTesting.Fields(duplicate));
        errors.AssertEmpty();
    }

    [Fact]
    public async Task A_missing_product_is_not_found_for_every_method()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var channel = GrpcTesting.CreateChannel(api);
        var client = new Catalog.CatalogClient(channel);

        await GrpcTesting.AssertFailsAsync(StatusCode.NotFound, async () =>
            await client.GetProductAsync(new GetProductRequest { Id = 987654 }, cancellationToken: CancellationToken));
        await GrpcTesting.AssertFailsAsync(StatusCode.NotFound, async () => await client.UpdateProductAsync(
            new UpdateProductRequest { Id = 987654, Sku = "X-1", Name = "X", Price = "1", Version = 1 }, cancellationToken: CancellationToken));
        var delete = await GrpcTesting.AssertFailsAsync(StatusCode.NotFound, async () =>
            await client.DeleteProductAsync(new DeleteProductRequest { Id = 987654 }, cancellationToken: CancellationToken));
        Assert.Equal("not_found", GrpcTesting.Reason(delete));
    }

    [Fact]
    public async Task Invalid_input_is_an_invalid_argument_naming_each_field()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var channel = GrpcTesting.CreateChannel(api);
        var client = new Catalog.CatalogClient(channel);

        var invalid = await GrpcTesting.AssertFailsAsync(StatusCode.InvalidArgument, async () => await client.CreateProductAsync(
            new CreateProductRequest { Sku = "", Name = new string('x', 201), Price = "-1" }, cancellationToken: CancellationToken));

        Assert.Equal("validation_failed", GrpcTesting.Reason(invalid));
        Assert.Equal(["name", "price", "sku"], GrpcTesting.Fields(invalid).Order());
        Assert.Contains("sku", invalid.Status.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bad sku!", "Lamp", "1", "sku")]
    [InlineData("A-1", "   ", "1", "name")]
    [InlineData("A-1", "Lamp", "cheap", "price")]
    [InlineData("A-1", "Lamp", "", "price")]
    [InlineData("A-1", "Lamp", "1000000000.01", "price")]
    [InlineData("A-1", "Lamp", "0.0000000000000000000000000001", "price")] // the column keeps cents: it would store 0.00
    [InlineData("A-1", "Lamp", "19.999", "price")]
    [InlineData("A-1", "Lamp", "1\u0000", "price")] // decimal.TryParse skips trailing NULs: it stored 1.00
    [InlineData("A-1", "Lamp", "+1", "price")]
    [InlineData("A-1", "Lamp", ".5", "price")]
    [InlineData("A-1", "\u202Eexe.txt", "1", "name")] // a right-to-left override
    [InlineData("A-1", "zero\u200Bwidth", "1", "name")]
    [InlineData("A-1", "nul\u0000name", "1", "name")]
    public async Task Each_rule_of_the_rest_api_applies(string sku, string name, string price, string field)
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var channel = GrpcTesting.CreateChannel(api);
        var client = new Catalog.CatalogClient(channel);

        var invalid = await GrpcTesting.AssertFailsAsync(StatusCode.InvalidArgument, async () => await client.CreateProductAsync(
            new CreateProductRequest { Sku = sku, Name = name, Price = price }, cancellationToken: CancellationToken));

        Assert.Equal([field], GrpcTesting.Fields(invalid));
    }

    [Fact]
    public async Task An_update_without_a_version_is_an_invalid_argument()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var channel = GrpcTesting.CreateChannel(api);
        var client = new Catalog.CatalogClient(channel);
        var created = await client.CreateProductAsync(new CreateProductRequest { Sku = "V-1", Name = "Vase", Price = "3" }, cancellationToken: CancellationToken);

        var invalid = await GrpcTesting.AssertFailsAsync(StatusCode.InvalidArgument, async () => await client.UpdateProductAsync(
            new UpdateProductRequest { Id = created.Id, Sku = "V-1", Name = "Vase", Price = "3" }, cancellationToken: CancellationToken));

        Assert.Equal(["version"], GrpcTesting.Fields(invalid));
    }

    [Fact]
    public async Task The_list_pages_with_page_tokens_until_it_runs_out()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var channel = GrpcTesting.CreateChannel(api);
        var client = new Catalog.CatalogClient(channel);
        for (var i = 0; i < 7; i++)
        {
            await client.CreateProductAsync(new CreateProductRequest { Sku = $"P-{i}", Name = $"Product {i}", Price = $"{i}" }, cancellationToken: CancellationToken);
        }

        var names = new List<string>();
        var token = string.Empty;
        var pages = 0;
        do
        {
            var page = await client.ListProductsAsync(new ListProductsRequest { PageSize = 3, PageToken = token }, cancellationToken: CancellationToken);
            Assert.InRange(page.Products.Count, 1, 3);
            names.AddRange(page.Products.Select(product => product.Name));
            token = page.NextPageToken;
            pages++;
        }
        while (token.Length > 0 && pages < 10);

        Assert.Equal(3, pages);
        Assert.Equal(Enumerable.Range(0, 7).Select(i => $"Product {i}"), names);

        var all = await client.ListProductsAsync(new ListProductsRequest(), cancellationToken: CancellationToken);
        Assert.Equal(7, all.Products.Count);
        Assert.Empty(all.NextPageToken);
    }

    [Fact]
    public async Task A_page_token_this_service_did_not_issue_is_an_invalid_argument()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var channel = GrpcTesting.CreateChannel(api);
        var client = new Catalog.CatalogClient(channel);

        var invalid = await GrpcTesting.AssertFailsAsync(StatusCode.InvalidArgument, async () =>
            await client.ListProductsAsync(new ListProductsRequest { PageToken = "bm90LWEtY3Vyc29y" }, cancellationToken: CancellationToken));

        Assert.Equal("invalid_cursor", GrpcTesting.Reason(invalid));
        Assert.Equal(["page_token"], GrpcTesting.Fields(invalid));

        // Well-formed tokens whose key the database cannot take (a NUL, an unpaired surrogate): refused too, not a failure.
        foreach (var json in new[] { """{"Key":"a\u0000b","Id":1}""", """{"Key":"\uD800","Id":1}""" })
        {
            var token = System.Buffers.Text.Base64Url.EncodeToString(System.Text.Encoding.UTF8.GetBytes(json));
            var forged = await GrpcTesting.AssertFailsAsync(StatusCode.InvalidArgument, async () =>
                await client.ListProductsAsync(new ListProductsRequest { PageToken = token }, cancellationToken: CancellationToken));
            Assert.Equal("invalid_cursor", GrpcTesting.Reason(forged));
        }
    }

    [Fact]
    public async Task A_negative_page_size_is_an_invalid_argument()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var channel = GrpcTesting.CreateChannel(api);
        var client = new Catalog.CatalogClient(channel);

        var invalid = await GrpcTesting.AssertFailsAsync(StatusCode.InvalidArgument, async () =>
            await client.ListProductsAsync(new ListProductsRequest { PageSize = -1 }, cancellationToken: CancellationToken));

        Assert.Equal(["page_size"], GrpcTesting.Fields(invalid));
    }
}
