using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using Company.Starter.Api.Http;
using Company.Starter.Api.Http.Access;
using Company.Starter.Data;
using Company.Starter.Data.Paging;
using GraphQL;
using GraphQL.Execution;
using GraphQL.Validation.Complexity;
using GraphQL.Validation.Errors.Custom;
using DocumentLimitError = GraphQL.Validation.ValidationError;

namespace Company.Starter.Api.GraphQL;

/// <summary>
/// GraphQL errors carry the same stable <c>extensions.code</c> values as the REST problem details
/// (<see cref="ProblemCodes"/>), so a client branches on one vocabulary whichever protocol it speaks.
/// </summary>
public static partial class GraphQLErrors
{
    /// <summary>The document is nested deeper than <see cref="GraphQLLimits.MaxDepth"/>.</summary>
    public const string QueryTooDeep = "query_too_deep";

    /// <summary>The document's estimated cost exceeds <see cref="GraphQLLimits.MaxComplexity"/>.</summary>
    public const string QueryTooComplex = "query_too_complex";

    /// <summary>The document is longer than <see cref="GraphQLLimits.MaxQueryLength"/>.</summary>
    public const string QueryTooLong = "query_too_long";

    /// <summary>The document selects more fields than <see cref="GraphQLLimits.MaxFields"/>, aliases and fragment uses counted.</summary>
    public const string QueryTooManyFields = "query_too_many_fields";

    /// <summary>The document asks for <c>__schema</c> or <c>__type</c> where <see cref="GraphQLLimits.EnableIntrospection"/> is off.</summary>
    public const string IntrospectionDisabled = "introspection_disabled";

    public static ExecutionError Error(string code, string message) => new(message) { Code = code };

    /// <summary>
    /// Checks that the request's user has <paramref name="access"/> (see <see cref="IEndpointAccess"/>); throws an error
    /// coded <c>unauthorized</c> (not signed in) or <c>forbidden</c> (signed in, not allowed).
    /// </summary>
    public static async Task RequireAccessAsync(IResolveFieldContext context, EndpointAccess access)
    {
        var decision = await context.RequestServices!.GetRequiredService<IEndpointAccess>().CheckAsync(User(context), access);
        if (decision == AccessDecision.SignInRequired)
        {
            throw Error(ProblemCodes.Unauthorized, "Sign in first: send an access token.");
        }

        if (decision == AccessDecision.Forbidden)
        {
            throw Forbidden();
        }
    }

    /// <summary>The signed-in user is not allowed to do this.</summary>
    public static ExecutionError Forbidden() => Error(ProblemCodes.Forbidden, "You may not do this.");

    /// <summary>The request's user; an anonymous one when the request carries none.</summary>
    public static ClaimsPrincipal User(IResolveFieldContext context) => context.User ?? new ClaimsPrincipal();

    /// <summary>
    /// Rewrites GraphQL.NET's depth and complexity errors (it has already measured the document against
    /// <paramref name="limits"/>, introspection included) into coded ones that name the limit and its setting.
    /// </summary>
    internal static Task EnforceLimits(ComplexityValidationContext context, GraphQLLimits limits)
    {
        if (context.MaxDepth > limits.MaxDepth)
        {
            context.Error = new DocumentLimitError(
                $"The query is nested {context.MaxDepth} levels deep; the limit (GraphQL:MaxDepth) is {limits.MaxDepth}.") { Code = QueryTooDeep };
        }
        else if (context.TotalImpact > limits.MaxComplexity)
        {
            context.Error = new DocumentLimitError(string.Create(
                CultureInfo.InvariantCulture,
                $"The query is too complex: its estimated cost is {context.TotalImpact:0}; the limit (GraphQL:MaxComplexity) is {limits.MaxComplexity}. Ask for smaller pages (first, last) or fewer fields.")) { Code = QueryTooComplex };
        }

        return Task.CompletedTask;
    }

    /// <summary>Checks <paramref name="request"/> with its DataAnnotations: the same rules the REST endpoints apply.</summary>
    public static void Validate(object request)
    {
        var results = new List<ValidationResult>();
        if (Validator.TryValidateObject(request, new ValidationContext(request), results, validateAllProperties: true))
        {
            return;
        }

        var errors = results
            .SelectMany(result => result.MemberNames.DefaultIfEmpty(string.Empty), (result, member) => (Field: JsonNamingPolicy.CamelCase.ConvertName(member), result.ErrorMessage))
            .GroupBy(error => error.Field, StringComparer.Ordinal)
            .ToDictionary(group => group.Key, group => group.Select(error => error.ErrorMessage ?? "The value is invalid.").ToArray(), StringComparer.Ordinal);
        throw new InputValidationError(errors);
    }

    public static ExecutionError InvalidArgument(string argument, string message) =>
        new InputValidationError(new Dictionary<string, string[]>(StringComparer.Ordinal) { [argument] = [message] });

    /// <summary>
    /// Turns an exception a resolver let escape into an error with a code. Known failures keep their message; anything
    /// else is logged and answered with a message that reveals nothing internal.
    /// </summary>
    internal static void Translate(UnhandledExceptionContext context, ILogger logger)
    {
        var exception = context.OriginalException;
        context.Exception = exception switch
        {
            ExecutionError error => error,
            InvalidCursorException cursor => Error(ProblemCodes.InvalidCursor, cursor.Message),
            DataConflictException conflict => Error(conflict.Code, conflict.Message),
            _ when DatabaseErrors.IsUnavailable(exception) => Error(ProblemCodes.DatabaseUnavailable, "The database is unavailable. Retry later."),
            _ => Error(ProblemCodes.InternalError, "An unexpected error occurred."),
        };

        var code = ((ExecutionError)context.Exception).Code;
        if (code == ProblemCodes.DatabaseUnavailable)
        {
            LogDatabaseUnavailable(logger, exception);
        }
        else if (code == ProblemCodes.InternalError)
        {
            LogUnhandled(logger, exception, context.FieldContext?.FieldDefinition.Name);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The database is unavailable; answered a GraphQL error")]
    private static partial void LogDatabaseUnavailable(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled exception in GraphQL field {Field}")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string? field);
}

/// <summary>Input that breaks a validation rule; <see cref="Errors"/> names each offending field, as REST's problem does.</summary>
public sealed class InputValidationError : ExecutionError
{
    public InputValidationError(IReadOnlyDictionary<string, string[]> errors)
        : base("The input is invalid: " + string.Join(" ", errors.SelectMany(error => error.Value)))
    {
        Code = ProblemCodes.ValidationFailed;
        Errors = errors;
    }

    public IReadOnlyDictionary<string, string[]> Errors { get; }
}

/// <summary>
/// Writes <c>extensions: { code }</c> (plus <c>errors</c> per field for validation failures) and nothing else: no
/// exception types, no stack traces, no <c>codes</c> list derived from .NET type names.
/// </summary>
internal sealed class CodedErrorInfoProvider() : ErrorInfoProvider(new ErrorInfoProviderOptions
{
    ExposeCode = true,
    ExposeCodes = false,
    ExposeData = false,
    ExposeExceptionDetails = false,
})
{
    public override ErrorInfo GetInfo(ExecutionError executionError)
    {
        var info = base.GetInfo(executionError);
        var extensions = info.Extensions ?? new Dictionary<string, object?>();
        extensions.Remove("number");
        // GraphQL.NET's own rule refuses introspection; its code joins this API's vocabulary.
        extensions["code"] = executionError is NoIntrospectionError ? GraphQLErrors.IntrospectionDisabled : executionError.Code ?? ProblemCodes.BadRequest;
        if (executionError is InputValidationError validation)
        {
            extensions["errors"] = validation.Errors;
        }

        info.Extensions = extensions;
        return info;
    }
}
