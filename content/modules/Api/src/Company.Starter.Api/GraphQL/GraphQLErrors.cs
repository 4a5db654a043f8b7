using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Text.Json;
using Company.Starter.Api.Http;
using Company.Starter.Data;
using Company.Starter.Data.Paging;
using GraphQL;
using GraphQL.Execution;
using GraphQL.Validation.Complexity;
using GraphQLParser.AST;
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

    public static ExecutionError Error(string code, string message) => new(message) { Code = code };
#if (UseAuth)

    /// <summary>
    /// Checks an authorization policy (with the resource, for resource-based ones) for the request's user; throws
    /// an error coded <c>unauthorized</c> (not signed in) or <c>forbidden</c> (signed in, not allowed).
    /// </summary>
    public static async Task AuthorizeAsync(IResolveFieldContext context, string policy, object? resource = null)
    {
        var user = context.User ?? new System.Security.Claims.ClaimsPrincipal();
        if (user.Identity?.IsAuthenticated != true)
        {
            throw Error(ProblemCodes.Unauthorized, "Sign in first: send an access token.");
        }

        var authorization = context.RequestServices!.GetRequiredService<Microsoft.AspNetCore.Authorization.IAuthorizationService>();
        if (!(await authorization.AuthorizeAsync(user, resource, policy)).Succeeded)
        {
            throw Error(ProblemCodes.Forbidden, "You may not do this.");
        }
    }
#endif

    /// <summary>
    /// How deep an introspection query may nest the fields that list types (<c>fields</c>, <c>inputFields</c>,
    /// <c>interfaces</c>, <c>possibleTypes</c>): the standard introspection query needs 1; 3 matches graphql-js's
    /// MaxIntrospectionDepthRule.
    /// </summary>
    public const int MaxIntrospectionListingDepth = 3;

    private static readonly HashSet<string> ListingFields = new(StringComparer.Ordinal) { "fields", "inputFields", "interfaces", "possibleTypes" };

    /// <summary>
    /// Checks a document's measured depth and estimated cost against <paramref name="limits"/> during validation,
    /// so an over-limit document is refused before execution, with an error naming the limit and its setting.
    /// Introspection (tools fetching the schema) is answered from memory, not the database, and its standard query
    /// is 13 levels deep, so it is held to its own rule instead: no recursion through the type-listing fields.
    /// </summary>
    internal static Task EnforceLimits(ComplexityValidationContext context, GraphQLLimits limits)
    {
        var operation = context.ValidationContext.Operation;
        if (IsIntrospection(operation))
        {
            var listing = ListingDepth(operation.SelectionSet, context.ValidationContext.Document, [], []);
            if (listing > MaxIntrospectionListingDepth)
            {
                context.Error = new DocumentLimitError(
                    $"The introspection query nests fields, inputFields, interfaces or possibleTypes {listing} levels deep; the limit is {MaxIntrospectionListingDepth}.") { Code = QueryTooDeep };
            }
        }
        else if (context.MaxDepth > limits.MaxDepth)
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

    /// <summary>True when every root field is an introspection field (<c>__schema</c>, <c>__type</c>, <c>__typename</c>).</summary>
    private static bool IsIntrospection(GraphQLOperationDefinition operation) =>
        operation.SelectionSet.Selections.All(selection => selection is GraphQLField field && field.Name.StringValue.StartsWith("__", StringComparison.Ordinal));

    /// <summary>The deepest nesting of type-listing fields, following fragments (each measured once; cycles count 0).</summary>
    private static int ListingDepth(GraphQLSelectionSet? selectionSet, GraphQLDocument document, Dictionary<string, int> fragments, HashSet<string> visiting)
    {
        var deepest = 0;
        foreach (var selection in selectionSet?.Selections ?? [])
        {
            var depth = selection switch
            {
                GraphQLField field => ListingDepth(field.SelectionSet, document, fragments, visiting) + (ListingFields.Contains(field.Name.StringValue) ? 1 : 0),
                GraphQLInlineFragment inline => ListingDepth(inline.SelectionSet, document, fragments, visiting),
                GraphQLFragmentSpread spread => FragmentDepth(spread.FragmentName.Name.StringValue, document, fragments, visiting),
                _ => 0,
            };
            deepest = Math.Max(deepest, depth);
        }

        return deepest;
    }

    private static int FragmentDepth(string name, GraphQLDocument document, Dictionary<string, int> fragments, HashSet<string> visiting)
    {
        if (fragments.TryGetValue(name, out var known))
        {
            return known;
        }

        if (!visiting.Add(name))
        {
            return 0;
        }

        var definition = document.Definitions.OfType<GraphQLFragmentDefinition>().FirstOrDefault(fragment => fragment.FragmentName.Name.StringValue == name);
        var depth = ListingDepth(definition?.SelectionSet, document, fragments, visiting);
        visiting.Remove(name);
        fragments[name] = depth;
        return depth;
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
        extensions["code"] = executionError.Code ?? ProblemCodes.BadRequest;
        if (executionError is InputValidationError validation)
        {
            extensions["errors"] = validation.Errors;
        }

        info.Extensions = extensions;
        return info;
    }
}
