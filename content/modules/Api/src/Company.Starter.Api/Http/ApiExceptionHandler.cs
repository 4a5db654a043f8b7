using Company.Starter.Data;
using Company.Starter.Data.Paging;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace Company.Starter.Api.Http;

/// <summary>
/// Turns exceptions into RFC 9457 problem details. Known failures get their own status and code; an unreachable
/// database is a 503 the client may retry, never a 500; anything else is a 500 that reveals nothing internal.
/// </summary>
internal sealed partial class ApiExceptionHandler(IProblemDetailsService problemDetails, ILogger<ApiExceptionHandler> logger)
    : IExceptionHandler
{
    /// <summary>How long a client should wait before retrying while the database is unreachable.</summary>
    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(5);

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var problem = exception switch
        {
            BadHttpRequestException bad => Problem(bad.StatusCode, ProblemCodes.ForStatus(bad.StatusCode), "The request is malformed.", bad.Message),
            InvalidCursorException cursor => Problem(StatusCodes.Status400BadRequest, ProblemCodes.InvalidCursor, "The cursor is invalid.", cursor.Message),
            DataConflictException conflict => Problem(StatusCodes.Status409Conflict, conflict.Code, "The change conflicts with the current state.", conflict.Message),
            _ when DatabaseErrors.IsUnavailable(exception) => Problem(
                StatusCodes.Status503ServiceUnavailable,
                ProblemCodes.DatabaseUnavailable,
                "The database is unavailable.",
                "The request was not carried out. Retry after the delay in the Retry-After header."),
            _ => Problem(StatusCodes.Status500InternalServerError, ProblemCodes.InternalError, "An unexpected error occurred.", detail: null),
        };

        if (problem.Status == StatusCodes.Status503ServiceUnavailable)
        {
            LogDatabaseUnavailable(logger, exception);
            httpContext.Response.Headers.RetryAfter = ((int)RetryAfter.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        else if (problem.Status >= StatusCodes.Status500InternalServerError)
        {
            LogUnhandled(logger, exception);
        }

        httpContext.Response.StatusCode = problem.Status!.Value;
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = problem,
            Exception = exception,
        });
    }

    private static ProblemDetails Problem(int status, string code, string title, string? detail) => new()
    {
        Status = status,
        Title = title,
        Detail = detail,
        Extensions = { [ProblemDetailsDefaults.CodeKey] = code },
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "The database is unavailable; answered 503")]
    private static partial void LogDatabaseUnavailable(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled exception; answered 500")]
    private static partial void LogUnhandled(ILogger logger, Exception exception);
}
