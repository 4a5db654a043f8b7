using System.Net;
using System.Text;
using Company.Starter.Data.Products;

namespace Company.Starter.Api.Tests;

public sealed partial class CostLimitTests
{
    [Fact]
    public async Task Rest_an_oversized_body_is_refused_without_being_read()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var client = UploadClient(api);
        await WarmUpAsync(client);
        var upload = new FillerStream("{\"sku\":\""u8.ToArray(), (byte)'a', HugeBodyBytes, seekable: true);

        var (response, body, allocated) = await MeasureAsync(() =>
            client.PostAsync("/api/products", FillerStream.Content(upload, "application/json"), CancellationToken));

        AssertRefused(response, body, allocated, HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
        AssertReadAtMost(upload, 0);
    }

    [Fact]
    public async Task Rest_a_deeply_nested_body_is_refused_cheaply()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var client = api.CreateClient();
        await WarmUpAsync(client);
        // 500,000 levels of arrays in 1 MB: the JSON reader stops at its depth limit (64) instead of building them.
        var nested = "{\"sku\":" + new string('[', 500_000) + "}";

        var (response, body, allocated) = await MeasureAsync(() =>
            client.PostAsync("/api/products", new StringContent(nested, Encoding.UTF8, "application/json"), CancellationToken));

        AssertRefused(response, body, allocated, HttpStatusCode.BadRequest, "bad_request");
    }

    [Theory]
    [InlineData("limit=2147483647")]
    [InlineData("limit=1000000000000")]
    public async Task Rest_a_huge_page_size_is_refused(string query)
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var client = api.CreateClient();
        await WarmUpAsync(client);

        var (response, body, allocated) = await MeasureAsync(() => client.GetAsync($"/api/products?{query}", CancellationToken));

        AssertRefused(response, body, allocated, HttpStatusCode.BadRequest, "validation_failed");
    }

    [Fact]
    public async Task Rest_thousands_of_query_parameters_still_get_one_bounded_page()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        await SeedProductsAsync(api, ProductCatalog.MaxPageSize + 50);
        using var client = api.CreateClient();
        await WarmUpAsync(client);
        var parameters = string.Join("&", Enumerable.Range(0, 2_000).Select(i => $"p{i}=1"));

        var (response, body, allocated) = await MeasureAsync(() => client.GetAsync($"/api/products?limit={ProductCatalog.MaxPageSize}&{parameters}", CancellationToken));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("data");
        Assert.Equal(ProductCatalog.MaxPageSize, page.GetArrayLength());
        AssertBounded(body, allocated, ProductCatalog.MaxPageSize * 512);
    }

    /// <summary>First requests load code and fill caches: not part of what an attack costs.</summary>
    private static async Task WarmUpAsync(HttpClient client)
    {
        using var warmUp = await client.GetAsync("/api/products?limit=1", CancellationToken);
        Assert.Equal(HttpStatusCode.OK, warmUp.StatusCode);
    }
}
