using System.Net;
using System.Net.Http.Json;
using Company.Starter.Testing;

namespace Company.Starter.Api.Tests.Security;

/// <summary>
/// Idempotency keys belong to the caller who sent them: another user who sends the same key (and body) has their own
/// request run, never the first user's stored response replayed to them.
/// </summary>
public sealed class IdempotencyScopeTests(TestEnvironment environment)
{
    private static CancellationToken CancellationToken => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Two_users_with_the_same_key_and_body_each_get_their_own_request_run()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var admin = api.CreateClient();
        var productId = (await (await admin.PostAsJsonAsync("/api/products", new { sku = "SHARED-1", name = "Shared", price = 3 }, CancellationToken))
            .ReadDataAsync(HttpStatusCode.Created)).GetProperty("data").GetProperty("id").GetInt64();
        using var alice = api.CreateBearerClient(api.IssueToken("alice"));
        using var bob = api.CreateBearerClient(api.IssueToken("bob"));
        var sale = new { productId, quantity = 2 };

        var aliceFirst = await PostSaleAsync(alice, "same-key-1", sale);
        var bobFirst = await PostSaleAsync(bob, "same-key-1", sale);
        var aliceRetry = await PostSaleAsync(alice, "same-key-1", sale);
        var bobRetry = await PostSaleAsync(bob, "same-key-1", sale);

        // Bob's request ran: a sale of his own, not Alice's response replayed.
        Assert.False(bobFirst.Replayed, "Bob got Alice's stored response");
        Assert.NotEqual(aliceFirst.SaleId, bobFirst.SaleId);
        // Each one's retry replays their own response.
        Assert.Equal((aliceFirst.SaleId, true), (aliceRetry.SaleId, aliceRetry.Replayed));
        Assert.Equal((bobFirst.SaleId, true), (bobRetry.SaleId, bobRetry.Replayed));
    }

    [Fact]
    public async Task Another_users_key_never_answers_with_the_first_users_product()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var alice = api.CreateBearerClient(api.IssueToken("alice"));
        using var bob = api.CreateBearerClient(api.IssueToken("bob"));
        var body = new { sku = "ALICE-1", name = "Alice's lamp", price = 5 };

        using var aliceCreate = Post("/api/products", "key-42", body);
        var created = await (await alice.SendAsync(aliceCreate, CancellationToken)).ReadDataAsync(HttpStatusCode.Created);
        Assert.Equal("alice", created.GetProperty("data").GetProperty("ownerId").GetString());

        // Bob's identical request runs as his own: the SKU is taken, so it is a conflict, not Alice's 201 replayed.
        using var bobCreate = Post("/api/products", "key-42", body);
        var response = await bob.SendAsync(bobCreate, CancellationToken);
        Assert.False(response.Headers.Contains("Idempotent-Replayed"), "Bob got Alice's stored response");
        await response.ReadProblemAsync(HttpStatusCode.Conflict, "duplicate_key");
    }

    private static async Task<(long SaleId, bool Replayed)> PostSaleAsync(HttpClient client, string key, object sale)
    {
        using var request = Post("/api/sales", key, sale);
        var response = await client.SendAsync(request, CancellationToken);
        var data = await response.ReadDataAsync(HttpStatusCode.Created);
        return (data.GetProperty("data").GetProperty("id").GetInt64(), response.Headers.Contains("Idempotent-Replayed"));
    }

    private static HttpRequestMessage Post(string path, string key, object body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.Add("Idempotency-Key", key);
        return request;
    }
}
