using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace TemplatePack.Tests.Run;

/// <summary>Client-side checks of the generated API's wire contract (APIResponse envelope, problem details).</summary>
public static class HttpJson
{
    public static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new Xunit.Sdk.XunitException($"{Describe(response)} body is not JSON ({e.Message}):\n{body}");
        }
    }

    /// <summary>Asserts the status and returns `data` of a `{ data, status: "success", timestamp }` envelope.</summary>
    public static async Task<JsonElement> AssertSuccessAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var json = await ReadJsonAsync(response);
        Assert.True(response.StatusCode == expected, $"{Describe(response)}: expected {(int)expected}. Body: {json}");
        Assert.True(json.TryGetProperty("data", out var data), $"No `data` in {json}");
        Assert.Equal("success", Property(json, "status").GetString());
        Assert.True(Property(json, "timestamp").ValueKind == JsonValueKind.String, $"`timestamp` must be a string in {json}");
        return data;
    }

    /// <summary>Asserts an RFC 9457 problem with the pack's `code` and `severity` extensions; returns the body.</summary>
    public static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode expected, string code)
    {
        var json = await ReadJsonAsync(response);
        Assert.True(response.StatusCode == expected, $"{Describe(response)}: expected {(int)expected} `{code}`. Body: {json}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(code, Property(json, "code").GetString());
        Assert.False(string.IsNullOrEmpty(Property(json, "severity").GetString()), $"`severity` must be set in {json}");
        Assert.Equal((int)expected, Property(json, "status").GetInt32());
        return json;
    }

    public static JsonElement Property(JsonElement json, string name) =>
        json.ValueKind == JsonValueKind.Object && json.TryGetProperty(name, out var value)
            ? value
            : throw new Xunit.Sdk.XunitException($"Expected property `{name}` in {json}");

    public static Task<HttpResponseMessage> PostProductAsync(HttpClient client, string sku, string name, decimal price) =>
        client.PostAsJsonAsync("/api/products", new { sku, name, price });

    private static string Describe(HttpResponseMessage response) =>
        $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.PathAndQuery} → {(int)response.StatusCode}";
}
