using System.Net;
using System.Net.Http.Headers;
using Company.Starter.Testing;

namespace Company.Starter.Api.Tests.GraphQL;

/// <summary>Mutations follow the REST rules: sign in to create, own the product (or be an admin) to change it.</summary>
public sealed class GraphQLAuthorizationTests(TestEnvironment environment)
{
    private const string Create = "mutation { createProduct(input: { sku: \"AUTH-1\", name: \"Owned\", price: 1 }) { id version } }";

    [Fact]
    public async Task A_mutation_without_a_token_is_unauthorized_and_changes_nothing()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var anonymous = api.CreateAnonymousClient();

        var body = await (await anonymous.PostGraphQLAsync(Create)).ReadGraphQLAsync(HttpStatusCode.OK);

        body.SingleError("unauthorized");
        using var admin = api.CreateClient();
        var data = await admin.QueryAsync("{ products { nodes { id } } }");
        Assert.Empty(data.GetProperty("products").GetProperty("nodes").EnumerateArray());
    }

    [Fact]
    public async Task Only_the_owner_may_update_a_product()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var owner = api.CreateAnonymousClient();
        owner.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", api.IssueToken("owner-1"));
        using var other = api.CreateAnonymousClient();
        other.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", api.IssueToken("someone-else"));
        var id = (await owner.QueryAsync(Create)).GetProperty("createProduct").GetProperty("id").GetString();
        var update = $"mutation {{ updateProduct(id: \"{id}\", input: {{ sku: \"AUTH-1\", name: \"Renamed\", price: 2 }}, version: 1) {{ name version }} }}";

        var refused = await (await other.PostGraphQLAsync(update)).ReadGraphQLAsync(HttpStatusCode.OK);
        refused.SingleError("forbidden");

        var updated = (await owner.QueryAsync(update)).GetProperty("updateProduct");
        Assert.Equal("Renamed", updated.GetProperty("name").GetString());
        Assert.Equal(2, updated.GetProperty("version").GetInt64());
    }
}
