using System.Net;
using System.Net.Http.Json;
using System.Text;
using Company.Starter.Testing;

namespace Company.Starter.Api.Tests;

public sealed class SalesApiTests(TestEnvironment environment)
{
    private static CancellationToken CancellationToken => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_summary_buckets_recorded_sales_by_hour()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var client = api.CreateClient();
        var productId = (await (await client.PostAsJsonAsync("/api/products", new { sku = "TEA-1", name = "Tea", price = 2.5m }, CancellationToken))
            .ReadDataAsync(HttpStatusCode.Created)).GetProperty("data").GetProperty("id").GetInt64();

        foreach (var (quantity, at) in new[] { (2, "2026-05-01T10:10:00Z"), (1, "2026-05-01T10:50:00Z"), (4, "2026-05-01T12:00:00Z") })
        {
            await (await client.PostAsJsonAsync("/api/sales", new { productId, quantity, occurredAt = at }, CancellationToken)).ReadDataAsync(HttpStatusCode.Created);
        }

        var summary = await (await client.GetAsync("/api/sales/summary?bucket=hour&from=2026-05-01T00:00:00Z&to=2026-05-02T00:00:00Z", CancellationToken))
            .ReadDataAsync(HttpStatusCode.OK);

        var buckets = summary.GetProperty("data").EnumerateArray().ToList();
        Assert.Equal(2, buckets.Count);
        Assert.Equal(new DateTime(2026, 5, 1, 10, 0, 0, DateTimeKind.Utc), buckets[0].GetProperty("bucketStart").GetDateTime().ToUniversalTime());
        Assert.Equal(3, buckets[0].GetProperty("units").GetInt64());
        Assert.Equal(7.5m, buckets[0].GetProperty("revenue").GetDecimal());
        Assert.Equal(10m, buckets[1].GetProperty("revenue").GetDecimal());
    }

    [Theory]
    [InlineData("/api/sales/summary?from=2026-05-02T00:00:00Z&to=2026-05-01T00:00:00Z")]
    [InlineData("/api/sales/summary?bucket=minute&from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z")]
    public async Task Bad_summary_queries_are_400_problems(string url)
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var client = api.CreateClient();

        await (await client.GetAsync(url, CancellationToken)).ReadProblemAsync(HttpStatusCode.BadRequest, "bad_request");
    }

    [Theory]
    [InlineData("week")]
    [InlineData("1")]
    [InlineData("-1")]
    [InlineData("minute,hour")] // Enum.TryParse reads a list of flags: minute | hour is hour
    [InlineData("hour,day")]
    [InlineData("hour%00")]
    [InlineData("%20hour")]
    [InlineData("hour%E2%80%8B")] // a zero-width space
    [InlineData("")]
    public async Task A_bucket_that_is_not_one_of_the_names_is_a_validation_problem(string bucket)
    {
        var errors = new ErrorLog();
        await using var api = await ApiFactory.StartAsync(environment, errors.Register);
        using var client = api.CreateClient();

        var response = await client.GetAsync($"/api/sales/summary?bucket={bucket}", CancellationToken);

        var problem = await response.ReadValidationProblemAsync("bucket");
        Assert.Contains("minute, hour, day", problem.GetProperty("errors").GetProperty("bucket")[0].GetString(), StringComparison.Ordinal);
        errors.AssertEmpty();
    }

    [Theory]
    [InlineData("minute")]
    [InlineData("HOUR")]
    [InlineData("Day")]
    public async Task The_bucket_names_are_read_in_any_case(string bucket)
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var client = api.CreateClient();

        await (await client.GetAsync($"/api/sales/summary?bucket={bucket}", CancellationToken)).ReadDataAsync(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("to=2026-01-01T00:00:00Z%00", "to")] // DateTimeOffset.TryParse skips trailing NULs
    [InlineData("from=%202026-01-01T00:00:00Z", "from")]
    [InlineData("to=01/05/2026", "to")] // January 5 in the invariant culture, May 1 to many readers
    [InlineData("to=May%201%202026", "to")]
    [InlineData("to=2026-01-01T00:00:00", "to")] // no offset: the server's time zone would decide
    [InlineData("to=2026-01-01", "to")]
    [InlineData("from=yesterday", "from")]
    [InlineData("from=0001-01-01T00:00:00%2B14:00", "from")] // before year 1 in UTC: no DateTimeOffset at all
    [InlineData("to=9999-12-31T23:59:59-14:00", "to")]
    public async Task A_time_that_is_not_an_rfc_3339_date_time_is_a_validation_problem(string query, string field)
    {
        var errors = new ErrorLog();
        await using var api = await ApiFactory.StartAsync(environment, errors.Register);
        using var client = api.CreateClient();

        await (await client.GetAsync($"/api/sales/summary?{query}", CancellationToken)).ReadValidationProblemAsync(field);
        errors.AssertEmpty();
    }

    [Fact]
    public async Task Rfc_3339_date_times_with_fractions_and_offsets_are_read()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var client = api.CreateClient();

        foreach (var query in new[] { "from=2026-01-01T00:00:00.5Z&to=2026-01-01T10:00:00.1234567Z", "from=2026-01-01T00:00:00%2B02:00&to=2026-01-01T00:00:00-05:30" })
        {
            await (await client.GetAsync($"/api/sales/summary?{query}", CancellationToken)).ReadDataAsync(HttpStatusCode.OK);
        }
    }

    [Fact]
    public async Task Extreme_dates_and_numbers_are_400_problems_and_log_no_error()
    {
        var errors = new ErrorLog();
        await using var api = await ApiFactory.StartAsync(environment, errors.Register);
        using var client = api.CreateClient();
        var productId = (await (await client.PostAsJsonAsync("/api/products", new { sku = "S-1", name = "Lamp", price = 2.5m }, CancellationToken))
            .ReadDataAsync(HttpStatusCode.Created)).GetProperty("data").GetProperty("id").GetInt64();

        string[] summaries =
        [
            "/api/sales/summary?to=0001-01-01T00:00:00Z",
            "/api/sales/summary?bucket=day&from=0001-01-01T00:00:00Z&to=0001-01-02T00:00:00Z",
            "/api/sales/summary?to=9999-12-31T23:59:59Z",
            "/api/sales/summary?bucket=day&from=9999-12-30T00:00:00Z&to=9999-12-31T00:00:00Z",
        ];
        foreach (var url in summaries)
        {
            await (await client.GetAsync(url, CancellationToken)).ReadProblemAsync(HttpStatusCode.BadRequest, "bad_request");
        }

        foreach (var occurredAt in new[] { "0001-01-01T00:00:00Z", "9999-12-31T23:59:59.9999999Z", "1899-12-31T23:59:59Z" })
        {
            var body = $$"""{"productId":{{productId}},"quantity":1,"occurredAt":"{{occurredAt}}"}""";
            await (await client.PostAsync("/api/sales", new StringContent(body, Encoding.UTF8, "application/json"), CancellationToken))
                .ReadValidationProblemAsync("occurredAt");
        }

        foreach (var body in new[]
        {
            $$"""{"productId":{{productId}},"quantity":1,"occurredAt":"0001-01-01T00:00:00+14:00"}""",
            $$"""{"productId":{{productId}},"quantity":2147483648}""",
            """{"productId":9223372036854775808,"quantity":1}""",
        })
        {
            var response = await client.PostAsync("/api/sales", new StringContent(body, Encoding.UTF8, "application/json"), CancellationToken);
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{body} → {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(CancellationToken)}");
        }

        // The edges themselves are fine, and summarise.
        foreach (var occurredAt in new[] { "1900-01-01T00:00:00Z", "2999-12-31T23:00:00Z" })
        {
            var body = $$"""{"productId":{{productId}},"quantity":1,"occurredAt":"{{occurredAt}}"}""";
            await (await client.PostAsync("/api/sales", new StringContent(body, Encoding.UTF8, "application/json"), CancellationToken))
                .ReadDataAsync(HttpStatusCode.Created);
        }

        var edge = await (await client.GetAsync("/api/sales/summary?bucket=day&from=1900-01-01T00:00:00Z&to=1900-01-02T00:00:00Z", CancellationToken))
            .ReadDataAsync(HttpStatusCode.OK);
        Assert.Equal(1, edge.GetProperty("data").GetArrayLength());
        errors.AssertEmpty();
    }

    [Fact]
    public async Task A_sale_of_an_unknown_product_is_a_404_problem()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var client = api.CreateClient();

        var response = await client.PostAsJsonAsync("/api/sales", new { productId = 31337, quantity = 1 }, CancellationToken);

        await response.ReadProblemAsync(HttpStatusCode.NotFound, "not_found");
    }
}
