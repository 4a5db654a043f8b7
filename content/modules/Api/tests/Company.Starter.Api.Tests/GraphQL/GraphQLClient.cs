using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Company.Starter.Api.Tests.GraphQL;

/// <summary>Sends GraphQL requests the way a client library does and reads the GraphQL response.</summary>
internal static class GraphQLClient
{
    public const string ResponseMediaType = "application/graphql-response+json";

    public static async Task<HttpResponseMessage> PostGraphQLAsync(this HttpClient client, string query, object? variables = null, string accept = ResponseMediaType)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/graphql")
        {
            Content = JsonContent.Create(new { query, variables }),
        };
        request.Headers.Accept.ParseAdd(accept);
        return await client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    /// <summary>Posts <paramref name="query"/> and returns <c>data</c>, asserting a 200 without errors.</summary>
    public static async Task<JsonElement> QueryAsync(this HttpClient client, string query, object? variables = null)
    {
        var body = await (await client.PostGraphQLAsync(query, variables)).ReadGraphQLAsync(HttpStatusCode.OK);
        Assert.False(body.TryGetProperty("errors", out var errors), errors.ToString());
        return body.GetProperty("data");
    }

    public static async Task<JsonElement> ReadGraphQLAsync(this HttpResponseMessage response, HttpStatusCode expected, string mediaType = ResponseMediaType)
    {
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(expected == response.StatusCode, $"Expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("utf-8", response.Content.Headers.ContentType?.CharSet);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>The single error of a response, asserting its <c>extensions.code</c>.</summary>
    public static JsonElement SingleError(this JsonElement body, string code)
    {
        var error = Assert.Single(body.GetProperty("errors").EnumerateArray());
        Assert.Equal(code, error.GetProperty("extensions").GetProperty("code").GetString());
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()));
        return error;
    }
}
