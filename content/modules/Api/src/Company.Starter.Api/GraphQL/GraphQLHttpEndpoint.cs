using System.Buffers;
using System.Text;
using Company.Starter.Api.Http;
using GraphQL;
using GraphQL.Transport;
using GraphQLParser;
using GraphQLParser.AST;
using GraphQLParser.Exceptions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Company.Starter.Api.GraphQL;

/// <summary>
/// <c>/graphql</c> per the GraphQL-over-HTTP specification (https://graphql.github.io/graphql-over-http/draft/):
/// POST <c>application/json</c> bodies <c>{ query, operationName?, variables?, extensions? }</c>; GET with the same as
/// query parameters, for queries only. Answers <c>application/graphql-response+json</c> unless the client only accepts
/// <c>application/json</c>. With the former, a request that fails before execution (unparsable, invalid, over a limit)
/// is a 400 without <c>data</c>; with the latter, every well-formed request is a 200, as the specification asks.
/// </summary>
public static partial class GraphQLHttpEndpoint
{
    public const string GraphQLResponseMediaType = "application/graphql-response+json";
    public const string JsonMediaType = "application/json";

    public static async Task HandleAsync(HttpContext http)
    {
        var responseType = NegotiateResponseType(http.Request.Headers.Accept);
        if (responseType is null)
        {
            http.Response.StatusCode = StatusCodes.Status406NotAcceptable;
            await ProblemDetailsDefaults.Problem(
                StatusCodes.Status406NotAcceptable,
                ProblemCodes.NotAcceptable,
                "The response media type is not acceptable.",
                $"Accept {GraphQLResponseMediaType} or {JsonMediaType}.").ExecuteAsync(http);
            return;
        }

        var response = new Responder(http, responseType);
        var limits = http.RequestServices.GetRequiredService<IOptions<GraphQLLimits>>().Value;
        var serializer = http.RequestServices.GetRequiredService<IGraphQLTextSerializer>();
        var isGet = HttpMethods.IsGet(http.Request.Method);

        GraphQLRequest? request;
        if (isGet)
        {
            request = ReadQueryString(http.Request.Query, serializer);
        }
        else
        {
            if (!IsJsonUtf8(http.Request.ContentType))
            {
                await response.FailAsync(StatusCodes.Status415UnsupportedMediaType, ProblemCodes.UnsupportedMediaType,
                    $"Send the request as {JsonMediaType} (UTF-8).");
                return;
            }

            var body = await ReadBodyAsync(http.Request, limits.MaxRequestBytes, http.RequestAborted);
            if (body is null)
            {
                await response.FailAsync(StatusCodes.Status413PayloadTooLarge, ProblemCodes.PayloadTooLarge,
                    $"The request body is larger than {limits.MaxRequestBytes} bytes.");
                return;
            }

            request = Deserialize<GraphQLRequest>(serializer, body);
        }

        if (request is null)
        {
            await response.FailAsync(StatusCodes.Status400BadRequest, ProblemCodes.BadRequest,
                "The request is not a GraphQL request: send a JSON object with a string 'query' (and optional 'operationName', 'variables', 'extensions').");
            return;
        }

        if (string.IsNullOrWhiteSpace(request.Query))
        {
            await response.FailAsync(StatusCodes.Status400BadRequest, ProblemCodes.BadRequest, "The request has no query.");
            return;
        }

        if (request.Query.Length > limits.MaxQueryLength)
        {
            await response.FailAsync(response.RequestErrorStatus, GraphQLErrors.QueryTooLong,
                $"The query is {request.Query.Length} characters long; the maximum (GraphQL:MaxQueryLength) is {limits.MaxQueryLength}.");
            return;
        }

        // Parsed here, once, to learn the operation type before anything runs; the executer reuses the document.
        var document = TryParse(request.Query);
        if (document is not null && GraphQLCost.CountFields(document, limits.MaxFields) > limits.MaxFields)
        {
            await response.FailAsync(response.RequestErrorStatus, GraphQLErrors.QueryTooManyFields,
                $"The query selects more than {limits.MaxFields} fields, counting each alias and each use of a fragment; the limit (GraphQL:MaxFields) is {limits.MaxFields}.");
            return;
        }

        var operation = document is null ? null : OperationOf(document, request.OperationName);
        if (isGet && operation is { Operation: not OperationType.Query })
        {
            http.Response.Headers.Allow = HttpMethods.Post;
            await response.FailAsync(StatusCodes.Status405MethodNotAllowed, ProblemCodes.MethodNotAllowed,
                "Only queries may be sent with GET; send mutations with POST.");
            return;
        }

        var logger = http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(GraphQLHttpEndpoint));
        var result = await http.RequestServices.GetRequiredService<IDocumentExecuter>().ExecuteAsync(new ExecutionOptions
        {
            Schema = http.RequestServices.GetRequiredService<CatalogSchema>(),
            Query = request.Query,
            Document = document,
            OperationName = request.OperationName,
            Variables = request.Variables,
            Extensions = request.Extensions,
            RequestServices = http.RequestServices,
            User = http.User,
            CancellationToken = http.RequestAborted,
            // The limits run with validation, so an over-deep or over-wide document never reaches a resolver.
            ValidationRules = http.RequestServices.GetRequiredService<GraphQLCost>().ValidationRules,
            UnhandledExceptionDelegate = context =>
            {
                GraphQLErrors.Translate(context, logger);
                return Task.CompletedTask;
            },
        });

        if (result.Executed && operation is { Operation: OperationType.Mutation })
        {
            // Before the answer: the client's next read (over REST too) must not be served a page cached before the write.
            await OutputCaching.EvictAsync(http.RequestServices, [OutputCaching.Products, OutputCaching.Sales]);
        }

        await response.WriteAsync(result.Executed ? StatusCodes.Status200OK : response.RequestErrorStatus, result);
    }

    /// <summary>
    /// The media type to answer with: the most preferred of the two GraphQL ones the client accepts (q-values honoured,
    /// the more specific range winning); <c>application/graphql-response+json</c> on a tie or with no Accept at all.
    /// Null when the client accepts neither.
    /// </summary>
    internal static string? NegotiateResponseType(StringValues accept)
    {
        if (StringValues.IsNullOrEmpty(accept))
        {
            return GraphQLResponseMediaType;
        }

        if (!MediaTypeHeaderValue.TryParseList(accept, out var ranges))
        {
            return null;
        }

        var graphql = Quality(ranges, GraphQLResponseMediaType);
        var json = Quality(ranges, JsonMediaType);
        return graphql <= 0 && json <= 0 ? null : graphql >= json ? GraphQLResponseMediaType : JsonMediaType;
    }

    private static double Quality(IList<MediaTypeHeaderValue> ranges, string mediaType)
    {
        var type = mediaType[..mediaType.IndexOf('/', StringComparison.Ordinal)];
        // The most specific matching range decides: type/subtype, then type/*, then */*. Compared exactly: ASP.NET
        // Core's IsSubsetOf would let application/json match application/graphql-response+json by its +json suffix.
        return ranges
            .Select(range => (Range: range, Specificity:
                range.MediaType.Equals(mediaType, StringComparison.OrdinalIgnoreCase) ? 3
                : range.MatchesAllSubTypes && !range.MatchesAllTypes && range.Type.Equals(type, StringComparison.OrdinalIgnoreCase) ? 2
                : range.MatchesAllTypes ? 1
                : 0))
            .Where(match => match.Specificity > 0)
            .OrderByDescending(match => match.Specificity)
            .Select(match => match.Range.Quality ?? 1)
            .DefaultIfEmpty(0)
            .First();
    }

    private static bool IsJsonUtf8(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var parsed)
        && parsed.MediaType.Equals(JsonMediaType, StringComparison.OrdinalIgnoreCase)
        && (!parsed.Charset.HasValue || parsed.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase));

    /// <summary>The body as text, or null when it is longer than <paramref name="maxBytes"/> (read no further than that).</summary>
    private static async Task<string?> ReadBodyAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
        {
            return null;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(maxBytes + 1);
        try
        {
            var length = 0;
            int read;
            while ((read = await request.Body.ReadAsync(buffer.AsMemory(length, maxBytes + 1 - length), cancellationToken)) > 0)
            {
                length += read;
                if (length > maxBytes)
                {
                    return null;
                }
            }

            return Encoding.UTF8.GetString(buffer, 0, length);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static GraphQLRequest? ReadQueryString(IQueryCollection query, IGraphQLTextSerializer serializer)
    {
        if (query["query"] is not [var text])
        {
            return null;
        }

        var request = new GraphQLRequest { Query = text, OperationName = query["operationName"] is [{ Length: > 0 } name] ? name : null };
        if (query["variables"] is [{ Length: > 0 } variables])
        {
            request.Variables = Deserialize<Inputs>(serializer, variables);
            if (request.Variables is null)
            {
                return null;
            }
        }

        if (query["extensions"] is [{ Length: > 0 } extensions])
        {
            request.Extensions = Deserialize<Inputs>(serializer, extensions);
            if (request.Extensions is null)
            {
                return null;
            }
        }

        return request;
    }

    /// <summary>Null for anything that is not the JSON shape <typeparamref name="T"/> expects.</summary>
    private static T? Deserialize<T>(IGraphQLTextSerializer serializer, string json) where T : class
    {
        try
        {
            return string.IsNullOrWhiteSpace(json) ? null : serializer.Deserialize<T>(json);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
        {
            return null;
        }
    }

    private static GraphQLDocument? TryParse(string query)
    {
        try
        {
            return Parser.Parse(query);
        }
        catch (GraphQLParserException)
        {
            // Parsed again by the executer, which reports the syntax error in the standard shape.
            return null;
        }
    }

    private static GraphQLOperationDefinition? OperationOf(GraphQLDocument document, string? operationName)
    {
        var operations = document.Definitions.OfType<GraphQLOperationDefinition>().ToList();
        return string.IsNullOrEmpty(operationName)
            ? operations.Count == 1 ? operations[0] : null
            : operations.FirstOrDefault(operation => operation.Name?.StringValue == operationName);
    }

    /// <summary>Writes GraphQL responses in the negotiated media type.</summary>
    private sealed class Responder(HttpContext http, string mediaType)
    {
        /// <summary>
        /// The status of a well-formed request that failed before execution: 400 with graphql-response+json,
        /// 200 with application/json (whose clients cannot tell a GraphQL 4xx from a proxy's).
        /// </summary>
        public int RequestErrorStatus => mediaType == GraphQLResponseMediaType ? StatusCodes.Status400BadRequest : StatusCodes.Status200OK;

        public Task FailAsync(int status, string code, string message) =>
            WriteAsync(status, new ExecutionResult { Errors = [GraphQLErrors.Error(code, message)] });

        public async Task WriteAsync(int status, ExecutionResult result)
        {
            http.Response.StatusCode = status;
            http.Response.ContentType = $"{mediaType}; charset=utf-8";
            await http.RequestServices.GetRequiredService<IGraphQLTextSerializer>().WriteAsync(http.Response.Body, result, http.RequestAborted);
        }
    }
}
