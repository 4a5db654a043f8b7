using System.Net;
using System.Net.Http.Json;

namespace Company.Starter.Api.Tests.Security;

/// <summary>The catalogue's rules over REST (gRPC and GraphQL: GrpcAuthorizationTests, GraphQLAuthorizationTests).</summary>
public sealed partial class AuthorizationTests
{
    [Fact]
    public async Task An_anonymous_write_is_a_401_problem_and_reads_stay_public()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var anonymous = api.CreateAnonymousClient();

        var create = await anonymous.PostAsJsonAsync("/api/products", new { sku = "ANON-1", name = "Anonymous", price = 1 }, CancellationToken);

        await create.ReadProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
        Assert.StartsWith("Bearer", create.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        await (await anonymous.GetAsync("/api/products", CancellationToken)).ReadDataAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Only_the_owner_or_an_admin_may_update_and_only_an_admin_may_delete()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var anonymous = api.CreateAnonymousClient(handleCookies: false);
        var ownerId = await Accounts.RegisterAsync(api, anonymous, "owner@example.test");
        await Accounts.RegisterAsync(api, anonymous, "other@example.test");
        using var owner = api.CreateBearerClient((await Accounts.LoginAsync(anonymous, "owner@example.test")).AccessToken);
        using var other = api.CreateBearerClient((await Accounts.LoginAsync(anonymous, "other@example.test")).AccessToken);
        using var admin = api.CreateClient();

        var created = (await (await owner.PostAsJsonAsync("/api/products", new { sku = "OWN-1", name = "Owned", price = 10 }, CancellationToken))
            .ReadDataAsync(HttpStatusCode.Created)).GetProperty("data");
        var id = created.GetProperty("id").GetInt64();
        Assert.Equal(ownerId, created.GetProperty("ownerId").GetString());

        await (await other.PutAsJsonAsync($"/api/products/{id}", new { sku = "OWN-1", name = "Taken over", price = 1, version = 1 }, CancellationToken))
            .ReadProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        var updated = (await (await owner.PutAsJsonAsync($"/api/products/{id}", new { sku = "OWN-1", name = "Renamed", price = 11, version = 1 }, CancellationToken))
            .ReadDataAsync(HttpStatusCode.OK)).GetProperty("data");
        Assert.Equal("Renamed", updated.GetProperty("name").GetString());
        await (await admin.PutAsJsonAsync($"/api/products/{id}", new { sku = "OWN-1", name = "Moderated", price = 11, version = 2 }, CancellationToken))
            .ReadDataAsync(HttpStatusCode.OK);

        await (await other.DeleteAsync($"/api/products/{id}", CancellationToken)).ReadProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await owner.DeleteAsync($"/api/products/{id}", CancellationToken)).ReadProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/products/{id}", CancellationToken)).StatusCode);
        await (await anonymous.GetAsync($"/api/products/{id}", CancellationToken)).ReadProblemAsync(HttpStatusCode.NotFound, "not_found");
    }
}
