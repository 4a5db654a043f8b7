using System.Net;
using System.Text.Json;
using Company.Starter.Api.Grpc;

namespace Company.Starter.Api.Tests.Grpc;

/// <summary>gRPC and REST over the same catalogue: one paging cursor, one output cache.</summary>
public sealed partial class CatalogServiceTests
{
    [Fact]
    public async Task The_page_token_is_the_rest_cursor()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var channel = GrpcTesting.CreateChannel(api);
        using var http = api.CreateClient();
        var client = new Catalog.CatalogClient(channel);
        for (var i = 0; i < 4; i++)
        {
            await client.CreateProductAsync(new CreateProductRequest { Sku = $"C-{i}", Name = $"Chair {i}", Price = "10" }, cancellationToken: CancellationToken);
        }

        var first = await client.ListProductsAsync(new ListProductsRequest { PageSize = 2 }, cancellationToken: CancellationToken);
        var rest = await (await http.GetAsync($"/api/products?limit=2&cursor={Uri.EscapeDataString(first.NextPageToken)}", CancellationToken))
            .ReadDataAsync(HttpStatusCode.OK);

        Assert.Equal(["Chair 2", "Chair 3"], rest.GetProperty("data").EnumerateArray().Select(p => p.GetProperty("name").GetString()));
        Assert.Equal(JsonValueKind.Null, rest.GetProperty("nextCursor").ValueKind);
    }

    [Fact]
    public async Task Writes_over_grpc_evict_the_rest_pages_they_made_stale()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var channel = GrpcTesting.CreateChannel(api);
        // Anonymous: the output cache never serves a request that carries credentials.
        using var http = api.CreateAnonymousClient();
        var client = new Catalog.CatalogClient(channel);
        Assert.Empty(await RestNamesAsync(http)); // the empty first page is now cached

        var created = await client.CreateProductAsync(new CreateProductRequest { Sku = "EV-1", Name = "Evicted", Price = "1" }, cancellationToken: CancellationToken);
        Assert.Equal(["Evicted"], await RestNamesAsync(http));

        await client.UpdateProductAsync(
            new UpdateProductRequest { Id = created.Id, Sku = "EV-1", Name = "Evicted again", Price = "1", Version = 1 }, cancellationToken: CancellationToken);
        Assert.Equal(["Evicted again"], await RestNamesAsync(http));

        await client.DeleteProductAsync(new DeleteProductRequest { Id = created.Id }, cancellationToken: CancellationToken);
        Assert.Empty(await RestNamesAsync(http));
    }

    private static async Task<List<string?>> RestNamesAsync(HttpClient http) =>
        [.. (await (await http.GetAsync("/api/products", CancellationToken)).ReadDataAsync(HttpStatusCode.OK))
            .GetProperty("data").EnumerateArray().Select(product => product.GetProperty("name").GetString())];
}
