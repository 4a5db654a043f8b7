using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Reflection;
using System.Text.Json.Serialization;
using Company.Starter.Data.Products;
using Company.Starter.Testing;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Company.Starter.Api.Tests;

/// <summary>The production behaviour every endpoint shares: conditional requests, rate limits, compression, CORS.</summary>
public sealed class HttpBehaviourTests(TestEnvironment environment)
{
    private static CancellationToken CancellationToken => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ETags_make_reads_conditional_and_updates_safe()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var client = api.CreateClient();
        var created = await client.PostAsJsonAsync("/api/products", new { sku = "TAG-1", name = "Tagged", price = 3 }, CancellationToken);
        var id = (await created.ReadDataAsync(HttpStatusCode.Created)).GetProperty("data").GetProperty("id").GetInt64();
        Assert.Equal("\"1\"", created.Headers.ETag?.ToString());

        using (var read = new HttpRequestMessage(HttpMethod.Get, $"/api/products/{id}"))
        {
            read.Headers.IfNoneMatch.Add(new EntityTagHeaderValue("\"1\""));
            var notModified = await client.SendAsync(read, CancellationToken);
            Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
            Assert.Empty(await notModified.Content.ReadAsByteArrayAsync(CancellationToken));
        }

        var updated = await PutAsync(client, id, ifMatch: "\"1\"");
        Assert.Equal("\"2\"", updated.Headers.ETag?.ToString());
        await updated.ReadDataAsync(HttpStatusCode.OK);

        await (await PutAsync(client, id, ifMatch: "\"1\"")).ReadProblemAsync(HttpStatusCode.PreconditionFailed, "precondition_failed");
        await (await PutAsync(client, id, ifMatch: null)).ReadProblemAsync(HttpStatusCode.PreconditionRequired, "precondition_required");
        await (await PutAsync(client, id, ifMatch: "W/\"2\"")).ReadProblemAsync(HttpStatusCode.BadRequest, "bad_request");
    }

    [Fact]
    public async Task A_client_over_its_rate_is_throttled_with_retry_after_but_probes_are_not()
    {
        await using var api = await ApiFactory.StartAsync(environment, settings: new Dictionary<string, string?>
        {
            ["Api:RateLimitBurst"] = "3",
            ["Api:RateLimitPerPeriod"] = "1",
            // No refill while the test runs, however slow the machine: the outcome does not depend on the clock.
            ["Api:RateLimitPeriod"] = "01:00:00",
        });
        using var client = api.CreateClient();

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? throttled = null;
        for (var i = 0; i < 8 && throttled is null; i++)
        {
            var response = await client.GetAsync("/api/products", CancellationToken);
            statuses.Add(response.StatusCode);
            throttled = response.StatusCode == HttpStatusCode.TooManyRequests ? response : null;
        }

        Assert.NotNull(throttled);
        Assert.Contains(HttpStatusCode.OK, statuses);
        Assert.True(throttled.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), throttled.Headers.RetryAfter?.ToString());
        await throttled.ReadProblemAsync(HttpStatusCode.TooManyRequests, "rate_limited");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/alive", CancellationToken)).StatusCode);
    }

    [Fact]
    public async Task Behind_a_trusted_proxy_each_client_is_limited_as_itself_and_a_forged_header_buys_nothing()
    {
        await using var api = await ApiFactory.StartAsync(environment, settings: new Dictionary<string, string?>
        {
            ["Api:RateLimitBurst"] = "1",
            ["Api:RateLimitPerPeriod"] = "1",
            // No refill while the test runs, however slow the machine: the outcome does not depend on the clock.
            ["Api:RateLimitPeriod"] = "01:00:00",
            ["Api:TrustedProxies:0"] = "10.0.0.0/8",
        });

        // Through the proxy: two clients get a request each; the first one's second request is over its own limit.
        Assert.Equal(200, await GetProductsAsync(api, from: "10.1.2.3", forwardedFor: "203.0.113.7"));
        Assert.Equal(200, await GetProductsAsync(api, from: "10.1.2.3", forwardedFor: "203.0.113.8"));
        Assert.Equal(429, await GetProductsAsync(api, from: "10.1.2.3", forwardedFor: "203.0.113.7"));
        // Straight from an address that is not a trusted proxy: its X-Forwarded-For is ignored, so a new one each time
        // does not buy a fresh limit.
        Assert.Equal(200, await GetProductsAsync(api, from: "198.51.100.9", forwardedFor: "203.0.113.50"));
        Assert.Equal(429, await GetProductsAsync(api, from: "198.51.100.9", forwardedFor: "203.0.113.51"));

        static async Task<int> GetProductsAsync(ApiFactory api, string from, string forwardedFor)
        {
            var context = await api.Server.SendAsync(http =>
            {
                http.Connection.RemoteIpAddress = IPAddress.Parse(from);
                http.Request.Method = "GET";
                http.Request.Path = "/api/products";
                http.Request.Headers["X-Forwarded-For"] = forwardedFor;
            }, CancellationToken);
            return context.Response.StatusCode;
        }
    }

    [Fact]
    public async Task Responses_are_compressed_for_clients_that_accept_it()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var client = api.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/products");
        request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("br"));

        var response = await client.SendAsync(request, CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("br", Assert.Single(response.Content.Headers.ContentEncoding));
    }

    [Theory]
    [InlineData("https://app.example.com", true)]
    [InlineData("https://evil.example.net", false)]
    public async Task Only_the_configured_frontend_origin_may_call_from_a_browser(string origin, bool allowed)
    {
        await using var api = await ApiFactory.StartAsync(environment, settings: new Dictionary<string, string?>
        {
            ["Api:CorsOrigins:0"] = "https://app.example.com",
        });
        using var client = api.CreateClient();
        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/api/products");
        preflight.Headers.Add("Origin", origin);
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        preflight.Headers.Add("Access-Control-Request-Headers", "content-type");

        var response = await client.SendAsync(preflight, CancellationToken);

        Assert.Equal(allowed, response.Headers.TryGetValues("Access-Control-Allow-Origin", out var origins) && origins.Single() == origin);
    }

    [Fact]
    public async Task Cached_list_pages_are_evicted_by_writes()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var client = api.CreateClient();
        Assert.Equal(0, (await (await client.GetAsync("/api/products", CancellationToken)).ReadDataAsync(HttpStatusCode.OK)).GetProperty("data").GetArrayLength());

        await (await client.PostAsJsonAsync("/api/products", new { sku = "OC-1", name = "Cached", price = 1 }, CancellationToken)).ReadDataAsync(HttpStatusCode.Created);

        // The empty page was cached; the write must have evicted it.
        var page = await (await client.GetAsync("/api/products", CancellationToken)).ReadDataAsync(HttpStatusCode.OK);
        Assert.Equal("Cached", Assert.Single(page.GetProperty("data").EnumerateArray()).GetProperty("name").GetString());
    }

    [Fact]
    public async Task Only_the_first_page_of_the_list_is_cached()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        // Anonymous: the output cache never serves a request that carries credentials.
        using var client = api.CreateAnonymousClient();
        await AddBehindTheCacheAsync(api, "OC-B", "Beta");
        await AddBehindTheCacheAsync(api, "OC-D", "Delta");
        var first = await (await client.GetAsync("/api/products?limit=1", CancellationToken)).ReadDataAsync(HttpStatusCode.OK);
        var cursor = first.GetProperty("nextCursor").GetString();
        Assert.Equal("Delta", Name(await (await client.GetAsync($"/api/products?limit=1&cursor={Uri.EscapeDataString(cursor!)}", CancellationToken)).ReadDataAsync(HttpStatusCode.OK)));

        // Writes that bypass the API (so nothing evicts): the cached first page stays as it was, a cursor page does not.
        await AddBehindTheCacheAsync(api, "OC-A", "Alpha");
        await AddBehindTheCacheAsync(api, "OC-C", "Charlie");

        Assert.Equal("Beta", Name(await (await client.GetAsync("/api/products?limit=1", CancellationToken)).ReadDataAsync(HttpStatusCode.OK)));
        Assert.Equal("Charlie", Name(await (await client.GetAsync($"/api/products?limit=1&cursor={Uri.EscapeDataString(cursor!)}", CancellationToken)).ReadDataAsync(HttpStatusCode.OK)));

        static string? Name(System.Text.Json.JsonElement page) => Assert.Single(page.GetProperty("data").EnumerateArray()).GetProperty("name").GetString();
    }

    private static async Task AddBehindTheCacheAsync(ApiFactory api, string sku, string name)
    {
        await using var scope = api.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<ProductCatalog>().CreateAsync(new ProductInput(sku, name, 1m), CancellationToken);
    }

    [Fact]
    public async Task The_api_version_is_negotiated_and_reported()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var client = api.CreateClient();

        var unversioned = await client.GetAsync("/api/products", CancellationToken);
        Assert.Equal(HttpStatusCode.OK, unversioned.StatusCode);
        Assert.Contains("1.0", unversioned.Headers.GetValues("api-supported-versions"));

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/products?api-version=1.0", CancellationToken)).StatusCode);
        using var future = new HttpRequestMessage(HttpMethod.Get, "/api/products");
        future.Headers.Add("api-version", "9.0");
        await (await client.SendAsync(future, CancellationToken)).ReadProblemAsync(HttpStatusCode.BadRequest, "unsupported_api_version");
    }

    [Fact]
    public async Task Every_catalogue_payload_is_serialized_by_generated_code()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        var json = api.Services.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        var endpoints = api.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .Where(endpoint => endpoint.Metadata.GetMetadata<MethodInfo>()?.DeclaringType is { } handler
                && (handler == typeof(Products.ProductEndpoints) || handler == typeof(Sales.SalesEndpoints)))
            .ToList();
        var payloads = endpoints.SelectMany(endpoint => endpoint.Metadata.OfType<Microsoft.AspNetCore.Http.Metadata.IProducesResponseTypeMetadata>().Select(produces => produces.Type)
                .Concat(endpoint.Metadata.OfType<Microsoft.AspNetCore.Http.Metadata.IAcceptsMetadata>().Select(accepts => accepts.RequestType)))
            .OfType<Type>()
            .Where(type => type.Assembly == typeof(Products.ProductEndpoints).Assembly)
            .Distinct()
            .ToList();

        Assert.NotEmpty(endpoints);
        Assert.Contains(payloads, type => type.Name.StartsWith("ApiListResponse", StringComparison.Ordinal));
        Assert.All(payloads, type => Assert.IsAssignableFrom<JsonSerializerContext>(json.GetTypeInfo(type).OriginatingResolver));
    }

    private static Task<HttpResponseMessage> PutAsync(HttpClient client, long id, string? ifMatch)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, $"/api/products/{id}")
        {
            Content = JsonContent.Create(new { sku = "TAG-1", name = "Tagged again", price = 4 }),
        };
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        return client.SendAsync(request, CancellationToken);
    }
}
