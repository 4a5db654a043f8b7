using System.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;

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

        if (!problem.Extensions.ContainsKey(CodeKey))
        {
            problem.Extensions[CodeKey] = problem is HttpValidationProblemDetails
                ? ProblemCodes.ValidationFailed
                : ProblemCodes.ForStatus(status);
        }

        problem.Extensions[SeverityKey] = ProblemCodes.SeverityFor(status);
        problem.Extensions[TraceIdKey] = Activity.Current?.TraceId.ToString() ?? context.HttpContext.TraceIdentifier;
        problem.Instance ??= context.HttpContext.Request.Path;
    }

    /// <summary>A problem result with a chosen code, for endpoints that answer an expected failure themselves.</summary>
    public static ProblemHttpResult Problem(int status, string code, string title, string? detail = null) =>
        TypedResults.Problem(
            statusCode: status,
            title: title,
            detail: detail,
            extensions: new Dictionary<string, object?> { [CodeKey] = code });
}
