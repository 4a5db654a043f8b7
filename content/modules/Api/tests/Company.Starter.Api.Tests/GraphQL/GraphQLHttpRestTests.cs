using System.Net;

namespace Company.Starter.Api.Tests.GraphQL;

/// <summary>GraphQL and REST over the same catalogue: one output cache.</summary>
public sealed partial class GraphQLHttpTests
{
    [Fact]
    public async Task A_mutation_evicts_the_rest_pages_it_made_stale()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var client = api.CreateClient();
        // Anonymous: the output cache never serves a request that carries credentials.
        using var reader = api.CreateAnonymousClient();
        Assert.Equal(0, await RestCountAsync(reader)); // the empty first page is now cached

        await client.QueryAsync("mutation { createProduct(input: { sku: \"EV-2\", name: \"Evicted\", price: 1 }) { id } }");

        Assert.Equal(1, await RestCountAsync(reader));
    }

    private static async Task<int> RestCountAsync(HttpClient http) =>
        (await (await http.GetAsync("/api/products", CancellationToken)).ReadDataAsync(HttpStatusCode.OK)).GetProperty("data").GetArrayLength();
}
