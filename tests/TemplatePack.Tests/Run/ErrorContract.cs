using System.Text.Json;

namespace TemplatePack.Tests.Run;

/// <summary>
/// What a well-behaved answer to a malformed request looks like, per surface. Returns null when the answer keeps the
/// contract, else why it does not.
/// </summary>
public static class ErrorContract
{
    public const string ProblemJson = "application/problem+json";
    public const string GraphQLResponseJson = "application/graphql-response+json";
    public const string Json = "application/json";

    public static string? Violation(BadRequest request, int status, string? mediaType, string body)
    {
        if (status >= 500)
        {
            // The database is up and the app is not overloaded: no 5xx (503 included) is an acceptable answer.
            return $"server error {status}";
        }

        if (request.RequiredStatus is { } required && status != required)
        {
            return $"expected {required}, got {status}";
        }

        if (status < 400 || body.Length == 0)
        {
            return null; // accepted (the input was odd but valid), or a bodiless 4xx
        }

        return request.Surface switch
        {
            // A route-level answer (unknown method, body over the server limit) comes from the HTTP pipeline for every
            // path and is a problem there too; endpoint answers follow the protocol's own error format.
            Surface.GraphQL => ProblemViolation(status, mediaType, body) is null ? null : GraphQLViolation(mediaType, body),
            Surface.GrpcTranscoding => ProblemViolation(status, mediaType, body) is null ? null : GrpcStatusViolation(mediaType, body),
            _ => ProblemViolation(status, mediaType, body),
        };
    }

    /// <summary>RFC 9457 with the pack's extension: problem+json, `status` equal to the HTTP status, a non-empty `code`.</summary>
    public static string? ProblemViolation(int status, string? mediaType, string body)
    {
        if (mediaType != ProblemJson)
        {
            return $"Content-Type {mediaType ?? "(none)"}, not {ProblemJson}";
        }

        if (Parse(body) is not { ValueKind: JsonValueKind.Object } json)
        {
            return "problem body is not a JSON object";
        }

        if (!json.TryGetProperty("status", out var s) || s.ValueKind != JsonValueKind.Number || !s.TryGetInt32(out var value) || value != status)
        {
            return $"problem `status` is not {status}";
        }

        return json.TryGetProperty("code", out var code) && code.ValueKind == JsonValueKind.String && code.GetString()!.Length > 0
            ? null
            : "problem has no non-empty `code`";
    }

    /// <summary>GraphQL over HTTP: graphql-response+json (or application/json) with a non-empty `errors` array.</summary>
    private static string? GraphQLViolation(string? mediaType, string body)
    {
        if (mediaType is not (GraphQLResponseJson or Json))
        {
            return $"GraphQL error with Content-Type {mediaType ?? "(none)"}";
        }

        return Parse(body) is { ValueKind: JsonValueKind.Object } json
            && json.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array && errors.GetArrayLength() > 0
            ? null
            : "GraphQL error response without a non-empty `errors` array";
    }

    /// <summary>A transcoded gRPC error: JSON google.rpc.Status, a numeric `code` and a `message`.</summary>
    private static string? GrpcStatusViolation(string? mediaType, string body)
    {
        if (mediaType != Json)
        {
            return $"transcoded gRPC error with Content-Type {mediaType ?? "(none)"}";
        }

        return Parse(body) is { ValueKind: JsonValueKind.Object } json
            && json.TryGetProperty("code", out var code) && code.ValueKind == JsonValueKind.Number && code.GetInt32() != 0
            && json.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String
            ? null
            : "transcoded gRPC error is not a google.rpc.Status (`code` non-zero number, `message` string)";
    }

    private static JsonElement? Parse(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
