using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace Company.Starter.Api.Http;

/// <summary>
/// Writes every problem as <c>application/problem+json</c>, whatever the request's <c>Accept</c> header says. The
/// framework's writer gives up when a client accepts no JSON (a browser's <c>text/html</c>), and the answer then
/// falls back to plain text; this API has one error format, and a client that asked for HTML still gets it.
/// </summary>
internal sealed class ProblemJsonWriter(IOptions<ProblemDetailsOptions> options) : IProblemDetailsWriter
{
    public bool CanWrite(ProblemDetailsContext context) => true;

    public ValueTask WriteAsync(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        problem.Status ??= context.HttpContext.Response.StatusCode;
        problem.Title ??= ReasonPhrases.GetReasonPhrase(problem.Status.Value);
        options.Value.CustomizeProblemDetails?.Invoke(context);

        return new ValueTask(context.HttpContext.Response.WriteAsJsonAsync(
            problem, problem.GetType(), options: null, contentType: "application/problem+json", context.HttpContext.RequestAborted));
    }
}
