using System.Net;
using System.Text;
using System.Text.Json;
using TemplatePack.Tests.Fixture;
using TemplatePack.Tests.Infrastructure;
using TemplatePack.Tests.Run;
using static TemplatePack.Tests.Run.HttpJson;

namespace TemplatePack.Tests.Tiers;

/// <summary>
/// The generated Api, migrated and started in Production against a real database, probed over HTTP the way
/// a client uses it: create, page with cursors, and the error contract (problem details with `code`).
/// </summary>
[Trait("Tier", "run")]
public sealed class RunTests(TemplatePackFixture fixture, ITestOutputHelper output)
{
    private const int ProductCount = 25;
    private const int PageSize = 10;

    public static TheoryData<string> ScenarioIds => new(Scenarios.All.Where(s => s.Rest).Select(s => s.Id));

    [Theory]
    [MemberData(nameof(ScenarioIds))]
    public async Task Api_serves_products_and_the_error_contract(string scenarioId)
    {
        var scenario = Scenarios.Get(scenarioId);
        await using var running = await ScenarioApp.StartAsync(fixture, scenario, "run");
        var app = running.Host;
        try
        {
            var client = app.Client;
            if (scenario.UsesAuth)
            {
                await GuardsWritesAndPublishesTheKey(app);
            }

            var created = await CreatesAProduct(client);
            var all = new Dictionary<string, string> { [created.Sku] = created.Name };
            for (var i = 0; i < ProductCount - 1; i++)
            {
                // Names out of insertion order, so "sorted by name" is not just "sorted by id".
                var (sku, name) = ($"SKU-P{i:D2}", $"Product {(i * 7) % ProductCount:D2}");
                using var response = await PostProductAsync(client, sku, name, 1m + i);
                await AssertSuccessAsync(response, HttpStatusCode.Created);
                all[sku] = name;
            }

            await PagesAllProductsOnceInNameOrder(client, all);
            await RejectsInvalidInput(client);
            await ReportsMissingAndBadCursor(client);

            using var health = await client.GetAsync("/health", TestContext.Current.CancellationToken);
            Assert.True(health.StatusCode == HttpStatusCode.OK, $"/health → {(int)health.StatusCode}: {await health.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)}");
        }
        catch (Exception)
        {
            output.WriteLine("App output:\n" + app.Output);
            throw;
        }
    }

    /// <summary>
    /// As an operator meets the security module: writes without a token are a 401 problem and change nothing; the
    /// signed-in user's token works; headers are hardened; the public key is published. (The passkey page is served
    /// from published output or in Development; the generated browser test covers it.)
    /// </summary>
    private static async Task GuardsWritesAndPublishesTheKey(ApiHost app)
    {
        using var anonymous = new HttpClient { BaseAddress = app.BaseAddress, Timeout = TimeSpan.FromSeconds(15) };
        using (var refused = await PostProductAsync(anonymous, "ANON-1", "Anonymous", 1m))
        {
            await AssertProblemAsync(refused, HttpStatusCode.Unauthorized, "unauthorized");
            Assert.Equal("nosniff", string.Join(",", refused.Headers.GetValues("X-Content-Type-Options")));
            Assert.Contains("frame-ancestors 'none'", string.Join(",", refused.Headers.GetValues("Content-Security-Policy")));
            Assert.False(refused.Headers.Contains("Server"), $"Kestrel must not name itself: Server: {string.Join(",", refused.Headers.TryGetValues("Server", out var server) ? server : [])}");
        }

        using (var missing = await anonymous.GetAsync("/api/products?limit=100"))
        {
            var page = await AssertSuccessAsync(missing, HttpStatusCode.OK);
            Assert.Empty(page.EnumerateArray());
        }

        using (var me = await app.Client.GetAsync("/api/auth/me"))
        {
            Assert.Equal("harness@example.test", Property(await AssertSuccessAsync(me, HttpStatusCode.OK), "email").GetString());
        }

        // Other services validate the tokens with the published public key: one P-256 key, no private part.
        using var jwks = await anonymous.GetAsync("/.well-known/jwks.json");
        var key = Assert.Single(Property(await ReadJsonAsync(jwks), "keys").EnumerateArray());
        Assert.Equal(("EC", "P-256", "ES256"), (Property(key, "kty").GetString(), Property(key, "crv").GetString(), Property(key, "alg").GetString()));
        Assert.False(key.TryGetProperty("d", out _), $"The JWKS must not publish the private key: {key}");
    }

    private static async Task<(long Id, string Sku, string Name)> CreatesAProduct(HttpClient client)
    {
        using var response = await PostProductAsync(client, "SKU-1", "Widget", 9.5m);
        var data = await AssertSuccessAsync(response, HttpStatusCode.Created);

        Assert.NotNull(response.Headers.Location);
        var id = Property(data, "id").GetInt64();
        Assert.Equal("SKU-1", Property(data, "sku").GetString());
        Assert.Equal("Widget", Property(data, "name").GetString());
        Assert.Equal(9.5m, Property(data, "price").GetDecimal());
        foreach (var field in new[] { "version", "createdAt", "updatedAt" })
        {
            Assert.NotEqual(JsonValueKind.Null, Property(data, field).ValueKind);
        }

        // The Location a client follows must lead to the same product.
        using var fetched = await client.GetAsync(response.Headers.Location);
        Assert.Equal(id, Property(await AssertSuccessAsync(fetched, HttpStatusCode.OK), "id").GetInt64());
        return (id, "SKU-1", "Widget");
    }

    private async Task PagesAllProductsOnceInNameOrder(HttpClient client, Dictionary<string, string> expected)
    {
        var seen = new List<(string Sku, string Name)>();
        string? cursor = null;
        for (var page = 0; page < 20; page++) // bounded: 26 products need 3 pages
        {
            var url = $"/api/products?limit={PageSize}" + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}");
            using var response = await client.GetAsync(url);
            var json = await ReadJsonAsync(response);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {url} → {(int)response.StatusCode}: {json}");
            var items = Property(json, "data").EnumerateArray().ToList();
            if (page == 0)
            {
                Assert.Equal(PageSize, items.Count);
            }

            seen.AddRange(items.Select(i => (Property(i, "sku").GetString()!, Property(i, "name").GetString()!)));
            var next = Property(json, "nextCursor");
            if (next.ValueKind == JsonValueKind.Null)
            {
                cursor = null;
                break;
            }

            cursor = next.GetString();
            Assert.False(string.IsNullOrEmpty(cursor), $"nextCursor must be a non-empty string or null: {json}");
        }

        output.WriteLine($"Paged {seen.Count} products in pages of {PageSize}.");
        Assert.Null(cursor);
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), seen.Select(s => s.Sku).Order(StringComparer.Ordinal)); // each exactly once
        var names = seen.Select(s => s.Name).ToList();
        Assert.Equal(names.Order(StringComparer.Ordinal), names); // in name order across pages
    }

    private static async Task RejectsInvalidInput(HttpClient client)
    {
        using (var invalid = await PostProductAsync(client, "", "", -1m))
        {
            var problem = await AssertProblemAsync(invalid, HttpStatusCode.BadRequest, "validation_failed");
            Assert.Equal(JsonValueKind.Object, Property(problem, "errors").ValueKind);
        }

        using var malformed = await client.PostAsync("/api/products", new StringContent("{\"sku\": \"A\", \"name\": ", Encoding.UTF8, "application/json"));
        var body = await ReadJsonAsync(malformed);
        Assert.True(malformed.StatusCode == HttpStatusCode.BadRequest, $"Malformed JSON must be a 400 problem, got {(int)malformed.StatusCode}: {body}");
        Assert.Equal("application/problem+json", malformed.Content.Headers.ContentType?.MediaType);
    }

    private static async Task ReportsMissingAndBadCursor(HttpClient client)
    {
        using (var missing = await client.GetAsync("/api/products/999999999"))
        {
            await AssertProblemAsync(missing, HttpStatusCode.NotFound, "not_found");
        }

        // The cursor value is `%%%bad` (escaped on the wire): opaque garbage a client might send.
        using var badCursor = await client.GetAsync("/api/products?cursor=%25%25%25bad");
        await AssertProblemAsync(badCursor, HttpStatusCode.BadRequest, "invalid_cursor");
    }
}
