using System.Text.Json;

namespace TemplatePack.Tests.Run;

/// <summary>
/// What a well-behaved answer to a sweep request looks like, per surface. Returns null when the answer keeps the
/// contract, else why it does not.
/// <list type="bullet">
/// <item>Never a 5xx, and never no answer.</item>
/// <item>A <see cref="Expectation.MustReject"/> input gets a client error in the surface's error format: a 4xx
/// problem+json with `code` and `severity` (REST), a google.rpc.Status (transcoded gRPC), a GraphQL `errors` array. A
/// 2xx or 3xx for it means the app accepted (and maybe stored) what it should have refused.</item>
/// <item>A <see cref="Expectation.MayAccept"/> input gets a 2xx or such a client error; a 3xx is no answer to an API call.</item>
/// <item>A client's mistake is no error-level log line (<see cref="LogViolation"/>): that is for what an operator must fix.</item>
/// </list>
/// </summary>
public static class ErrorContract
{
    public const string ProblemJson = "application/problem+json";
    public const string GraphQLResponseJson = "application/graphql-response+json";
    public const string Json = "application/json";

    /// <summary>The `code` a GraphQL error carries when a resolver failed unexpectedly: the GraphQL form of a 500.</summary>
    public const string GraphQLInternalError = "internal_error";

    /// <param name="connectionClosed">The answer carried `Connection: close` (how Kestrel's own rejections end).</param>
    public static string? Violation(BadRequest request, int status, string? mediaType, string body, bool connectionClosed = false)
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

        if (status is >= 300 and < 400)
        {
            return $"redirect {status} for an API request";
        }

        if (request.Surface == Surface.GraphQL && status < 300)
        {
            // GraphQL over HTTP answers execution errors (a resolver refusing an argument) with 200 and `errors`.
            return GraphQLOkViolation(request.Expect, mediaType, body);
        }

        if (status < 300)
        {
            return request.Expect == Expectation.MustReject ? $"accepted with {status}: the input must be refused with a client error" : null;
        }

        if (body.Length == 0 && connectionClosed && status is 400 or 414 or 431)
        {
            // Kestrel answers a request it cannot parse (a NUL in the path, an over-long request line or header
            // section) itself, before any of the app's code runs: no body, and it closes the connection. The one client
            // error the app cannot shape.
            return null;
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

    /// <summary>
    /// The app's error-level log lines written while it handled one request (matched by trace id): any is a violation,
    /// since the request was the client's mistake, not the operator's problem.
    /// </summary>
    public static string? LogViolation(IReadOnlyList<string> errorLines) =>
        errorLines.Count == 0 ? null : $"{errorLines.Count} error-level log line(s) for a client's mistake: {Cut(errorLines[0], 400)}";

    /// <summary>
    /// RFC 9457 with the pack's extensions: problem+json, `status` equal to the HTTP status, a non-empty `code` and a
    /// non-empty `severity`.
    /// </summary>
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

        if (!NonEmptyString(json, "code"))
        {
            return "problem has no non-empty `code`";
        }

        return NonEmptyString(json, "severity") ? null : "problem has no non-empty `severity`";
    }

    /// <summary>
    /// A 2xx from /graphql: a must-reject input needs a non-empty `errors` array; no error may be the GraphQL form of a
    /// 500 (`internal_error`).
    /// </summary>
    private static string? GraphQLOkViolation(Expectation expect, string? mediaType, string body)
    {
        if (mediaType is not (GraphQLResponseJson or Json) || Parse(body) is not { ValueKind: JsonValueKind.Object } json)
        {
            return $"GraphQL answer with Content-Type {mediaType ?? "(none)"} that is not a JSON object";
        }

        var errors = json.TryGetProperty("errors", out var e) && e.ValueKind == JsonValueKind.Array ? e : (JsonElement?)null;
        if (errors is { } list && list.EnumerateArray().Any(error =>
                error.TryGetProperty("extensions", out var extensions) && extensions.ValueKind == JsonValueKind.Object
                && extensions.TryGetProperty("code", out var code) && code.ValueKind == JsonValueKind.String && code.GetString() == GraphQLInternalError))
        {
            return $"GraphQL error `{GraphQLInternalError}`: a resolver failed on a client's input";
        }

        if (expect == Expectation.MustReject && (errors is not { } found || found.GetArrayLength() == 0))
        {
            return "accepted: the GraphQL answer has no `errors` for an input that must be refused";
        }

        return null;
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

    private static bool NonEmptyString(JsonElement json, string name) =>
        json.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString()!.Length > 0;

    private static string Cut(string text, int max) => text.Length <= max ? text : text[..max] + "…";

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
