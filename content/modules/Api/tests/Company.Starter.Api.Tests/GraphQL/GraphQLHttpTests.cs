using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Company.Starter.Testing;

namespace Company.Starter.Api.Tests.GraphQL;

/// <summary>The GraphQL-over-HTTP rules of <c>/graphql</c>: methods, media types and status codes (with REST: GraphQLHttpRestTests.cs).</summary>
public sealed partial class GraphQLHttpTests(TestEnvironment environment)
{
    private const string ResponseType = GraphQLClient.ResponseMediaType;

    private static CancellationToken CancellationToken => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(null, ResponseType)]
    [InlineData(ResponseType, ResponseType)]
    [InlineData("application/json", "application/json")]
    [InlineData("*/*", ResponseType)]
    [InlineData("application/graphql-response+json;q=0.5, application/json", "application/json")]
    [InlineData("application/graphql-response+json, application/json;q=0.9", ResponseType)]
    public async Task The_response_media_type_follows_the_Accept_header(string? accept, string expected)
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var client = api.CreateClient();
        using var request = Post("{ products { nodes { id } } }", accept);

        var body = await (await client.SendAsync(request, CancellationToken)).ReadGraphQLAsync(HttpStatusCode.OK, expected);

        Assert.Empty(body.GetProperty("data").GetProperty("products").GetProperty("nodes").EnumerateArray());
    }

    [Fact]
    public async Task An_unacceptable_Accept_header_is_406()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var client = api.CreateClient();
        using var request = Post("{ products { nodes { id } } }", "text/html");

        var response = await client.SendAsync(request, CancellationToken);

        // The client takes no JSON, so the problem body is best effort: the status is what counts.
        Assert.Equal(HttpStatusCode.NotAcceptable, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(CancellationToken);
        Assert.Equal("not_acceptable", problem.GetProperty("code").GetString());
    }

    [Fact]
    public async Task A_query_can_be_sent_with_GET()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var client = api.CreateClient();
        await client.QueryAsync("mutation { createProduct(input: { sku: \"GET-1\", name: \"Got\", price: 1 }) { id } }");

        var query = Uri.EscapeDataString("query Names($first: Int) { products(first: $first) { nodes { name } } }");
        var variables = Uri.EscapeDataString("{\"first\": 5}");
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/graphql?query={query}&operationName=Names&variables={variables}");
        request.Headers.Accept.ParseAdd(ResponseType);
        var body = await (await client.SendAsync(request, CancellationToken)).ReadGraphQLAsync(HttpStatusCode.OK);

        Assert.Equal("Got", Assert.Single(body.GetProperty("data").GetProperty("products").GetProperty("nodes").EnumerateArray()).GetProperty("name").GetString());
    }

    [Fact]
    public async Task A_mutation_sent_with_GET_is_405_allowing_POST_and_changes_nothing()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var client = api.CreateClient();
        var mutation = Uri.EscapeDataString("mutation { createProduct(input: { sku: \"GET-2\", name: \"Nope\", price: 1 }) { id } }");

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/graphql?query={mutation}");
        request.Headers.Accept.ParseAdd(ResponseType);
        var response = await client.SendAsync(request, CancellationToken);

        var body = await response.ReadGraphQLAsync(HttpStatusCode.MethodNotAllowed);
        body.SingleError("method_not_allowed");
        Assert.Equal(["POST"], response.Content.Headers.Allow);
        Assert.Empty((await client.QueryAsync("{ products { nodes { id } } }")).GetProperty("products").GetProperty("nodes").EnumerateArray());
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("application/json; charset=latin1")]
    public async Task A_body_that_is_not_UTF_8_JSON_is_415(string contentType)
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var client = api.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/graphql")
        {
            Content = new StringContent("{\"query\": \"{ products { nodes { id } } }\"}"),
        };
        request.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);

        var body = await (await client.SendAsync(request, CancellationToken)).ReadGraphQLAsync(HttpStatusCode.UnsupportedMediaType);

        body.SingleError("unsupported_media_type");
    }

    [Theory]
    [InlineData("{\"query\": \"{ products { nodes { id } } }\"", ResponseType)]
    [InlineData("not json at all", ResponseType)]
    [InlineData("", ResponseType)]
    [InlineData("[]", ResponseType)]
    [InlineData("{\"query\": 12}", ResponseType)]
    [InlineData("{\"variables\": {}}", ResponseType)]
    [InlineData("not json at all", "application/json")]
    public async Task A_malformed_body_is_400_whatever_the_client_accepts(string json, string accept)
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var client = api.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/graphql") { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.Accept.ParseAdd(accept);

        var body = await (await client.SendAsync(request, CancellationToken)).ReadGraphQLAsync(HttpStatusCode.BadRequest, accept);

        body.SingleError("bad_request");
        Assert.False(body.TryGetProperty("data", out _), body.ToString());
    }

    [Theory]
    [InlineData("{ products { nodes { id } ")]
    [InlineData("{ products { nodes { noSuchField } } }")]
    public async Task A_document_that_fails_to_parse_or_validate_is_400_without_data(string query)
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var client = api.CreateClient();

        var body = await (await client.PostGraphQLAsync(query)).ReadGraphQLAsync(HttpStatusCode.BadRequest);

        Assert.NotEmpty(body.GetProperty("errors").EnumerateArray());
        Assert.False(body.TryGetProperty("data", out _), body.ToString());
    }

    [Fact]
    public async Task With_application_json_a_document_error_is_200_as_the_spec_asks()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var client = api.CreateClient();

        var body = await (await client.PostGraphQLAsync("{ products { nodes { noSuchField } } }", accept: "application/json"))
            .ReadGraphQLAsync(HttpStatusCode.OK, "application/json");

        Assert.NotEmpty(body.GetProperty("errors").EnumerateArray());
        Assert.False(body.TryGetProperty("data", out _), body.ToString());
    }

    [Fact]
    public async Task Oversized_bodies_and_queries_are_refused()
    {
        await using var api = await ApiFactory.StartAsync(environment, settings: new Dictionary<string, string?>
        {
            ["GraphQL:MaxRequestBytes"] = "2048",
            ["GraphQL:MaxQueryLength"] = "200",
        });
        using var client = api.CreateClient();
        var padding = new string(' ', 250);

        var tooLong = await (await client.PostGraphQLAsync($"{{ products {{ nodes {{ id }} }} {padding} }}")).ReadGraphQLAsync(HttpStatusCode.BadRequest);
        Assert.Contains("200", tooLong.SingleError("query_too_long").GetProperty("message").GetString(), StringComparison.Ordinal);

        var tooLarge = await (await client.PostGraphQLAsync("{ products { nodes { id } } }", new { padding = new string('x', 4096) })).ReadGraphQLAsync(HttpStatusCode.RequestEntityTooLarge);
        tooLarge.SingleError("payload_too_large");
    }

    private static HttpRequestMessage Post(string query, string? accept)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/graphql")
        {
            Content = new StringContent(JsonSerializer.Serialize(new { query }), Encoding.UTF8, "application/json"),
        };
        if (accept is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept", accept);
        }

        return request;
    }
}
