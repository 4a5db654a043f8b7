using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Company.Starter.Api.Http;

/// <summary>
/// Adds the fields the frontend design components read to every problem response, whoever wrote it
/// (an endpoint, validation, the exception handler or status-code pages): <c>code</c>, <c>severity</c>, <c>traceId</c>.
/// </summary>
public static class ProblemDetailsDefaults
{
    public const string CodeKey = "code";
    public const string SeverityKey = "severity";
    public const string TraceIdKey = "traceId";

    public static void Customize(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        var status = problem.Status ?? context.HttpContext.Response.StatusCode;
        problem.Status = status;

        if (problem is HttpValidationProblemDetails validation)
        {
            UseJsonNames(validation, context.HttpContext);
        }

        if (problem.Extensions.TryGetValue(CodeKey, out var code) && code is string { Length: > 0 } text)
        {
            // Libraries set codes of their own style (Asp.Versioning: "UnsupportedApiVersion"); clients get one style.
            problem.Extensions[CodeKey] = SnakeCase(text);
        }
        else
        {
            problem.Extensions[CodeKey] = problem is HttpValidationProblemDetails
                ? ProblemCodes.ValidationFailed
                : ProblemCodes.ForStatus(status);
        }

        // An endpoint may choose the severity of an expected answer (a feature switched off is a warning, not an
        // error, although it is a 503); otherwise the status decides.
        if (!problem.Extensions.TryGetValue(SeverityKey, out var severity) || severity is not ("error" or "warning" or "info"))
        {
            problem.Extensions[SeverityKey] = ProblemCodes.SeverityFor(status);
        }

        problem.Extensions[TraceIdKey] = Activity.Current?.TraceId.ToString() ?? context.HttpContext.TraceIdentifier;
        problem.Instance ??= context.HttpContext.Request.Path;
    }

    /// <summary>
    /// Validation reports C# member names (<c>Sku</c>, <c>Lines[0].Quantity</c>); clients know the JSON names
    /// (<c>sku</c>, <c>lines[0].quantity</c>), so errors are keyed by those.
    /// </summary>
    private static void UseJsonNames(HttpValidationProblemDetails validation, HttpContext httpContext)
    {
        var naming = httpContext.RequestServices.GetService<IOptions<JsonOptions>>()?.Value.SerializerOptions.PropertyNamingPolicy;
        if (naming is null)
        {
            return;
        }

        var renamed = validation.Errors.ToDictionary(
            error => string.Join('.', error.Key.Split('.').Select(segment => naming.ConvertName(segment))),
            error => error.Value,
            StringComparer.Ordinal);
        validation.Errors.Clear();
        foreach (var (key, messages) in renamed)
        {
            validation.Errors[key] = messages;
        }
    }

    private static string SnakeCase(string code) => JsonNamingPolicy.SnakeCaseLower.ConvertName(code);

    /// <summary>A problem result with a chosen code, for endpoints that answer an expected failure themselves.</summary>
    public static ProblemHttpResult Problem(int status, string code, string title, string? detail = null, string? severity = null)
    {
        var extensions = new Dictionary<string, object?> { [CodeKey] = code };
        if (severity is not null)
        {
            extensions[SeverityKey] = severity;
        }

        return TypedResults.Problem(statusCode: status, title: title, detail: detail, extensions: extensions);
    }
}
