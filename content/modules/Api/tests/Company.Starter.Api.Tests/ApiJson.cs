using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Company.Starter.Api.Tests;

/// <summary>Reads responses the way a frontend client does, asserting the shared envelope and problem shapes.</summary>
internal static class ApiJson
{
    public static async Task<JsonElement> ReadDataAsync(this HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.True(expected == response.StatusCode, $"Expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("success", body.GetProperty("status").GetString());
        Assert.True(body.GetProperty("timestamp").TryGetDateTimeOffset(out _));
        return body;
    }

    public static async Task<JsonElement> ReadProblemAsync(this HttpResponseMessage response, HttpStatusCode expected, string code)
    {
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.True(expected == response.StatusCode, $"Expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal((int)expected, body.GetProperty("status").GetInt32());
        Assert.Equal(code, body.GetProperty("code").GetString());
        Assert.Contains(body.GetProperty("severity").GetString(), new[] { "error", "warning", "info" });
        Assert.False(string.IsNullOrEmpty(body.GetProperty("traceId").GetString()));
        return body;
    }

    /// <summary>A 400 <c>validation_failed</c> problem with an error on <paramref name="field"/>.</summary>
    public static async Task<JsonElement> ReadValidationProblemAsync(this HttpResponseMessage response, string field)
    {
        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"No error on '{field}': {problem}");
        return problem;
    }
}
