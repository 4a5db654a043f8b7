using System.Net;
using System.Net.Http.Headers;
using Company.Starter.Api.Tests.GraphQL;

namespace Company.Starter.Api.Tests;

public sealed partial class CostLimitTests
{
    [Fact]
    public async Task GraphQL_the_introspection_attack_is_refused_small_and_cheap()
    {
        // Introspection on, as in Development: the limits must hold where it is answered.
        await using var api = await ApiFactory.StartAsync(environment, settings: new Dictionary<string, string?> { ["GraphQL:EnableIntrospection"] = "true" });
        using var client = api.CreateClient();
        await client.QueryAsync("{ __schema { queryType { name } } }");

        var (response, body, allocated) = await MeasureAsync(() => client.PostGraphQLAsync(GraphQLLimitTests.IntrospectionAttack));

        AssertRefused(response, body, allocated, HttpStatusCode.BadRequest, "query_too_many_fields");
    }

    [Fact]
    public async Task GraphQL_a_huge_page_is_refused_before_the_database()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var client = api.CreateClient();
        await client.QueryAsync("{ products(first: 1) { nodes { id } } }");

        var (response, body, allocated) = await MeasureAsync(() =>
            client.PostGraphQLAsync("{ products(first: 2147483647) { nodes { id name sales(last: 100) { quantity } } } }"));

        AssertRefused(response, body, allocated, HttpStatusCode.BadRequest, "query_too_complex");
    }

    [Fact]
    public async Task GraphQL_an_oversized_body_is_refused_after_reading_no_more_than_the_limit()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var client = UploadClient(api);
        await client.QueryAsync("{ __typename }");

        // No Content-Length: the endpoint has to stop reading by itself.
        var upload = new FillerStream("{\"query\":\"{ __typename }\",\"x\":\""u8.ToArray(), (byte)'a', HugeBodyBytes, seekable: false);
        var (response, body, allocated) = await MeasureAsync(() => client.SendAsync(
            new HttpRequestMessage(HttpMethod.Post, "/graphql")
            {
                Content = FillerStream.Content(upload, "application/json"),
                Headers = { Accept = { new MediaTypeWithQualityHeaderValue(GraphQLClient.ResponseMediaType) } },
            },
            CancellationToken));

        AssertRefused(response, body, allocated, HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
        AssertReadAtMost(upload, 64 * 1024 + 1);
    }
}
