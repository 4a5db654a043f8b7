using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Company.Starter.Data.Idempotency;
using Microsoft.AspNetCore.Http.Features;

namespace Company.Starter.Api.Http.Idempotency;

/// <summary>
/// Idempotent POSTs, as Stripe does them and the IETF draft "The Idempotency-Key HTTP Header Field" describes:
/// <list type="bullet">
/// <item>The first request with a key claims it in the database, runs, and stores its response (status, Location,
/// ETag, Content-Type, body).</item>
/// <item>A retry with the same key and the same request gets that response again, byte for byte, with
/// <c>Idempotent-Replayed: true</c>, and the handler does not run again.</item>
/// <item>The same key with a different request is a 422 (<c>idempotency_key_reused</c>); the same key while the first
/// request still runs is a 409 (<c>idempotency_request_in_progress</c>) with <c>Retry-After</c>; a malformed key is a 400.</item>
/// </list>
/// </summary>
internal static class IdempotentRequests
{
    public const string KeyHeader = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotent-Replayed";

    private const int KeyMaxLength = 255;
    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(1);

    public static async Task InvokeAsync(HttpContext http, RequestDelegate next)
    {
        if (!http.Request.Headers.TryGetValue(KeyHeader, out var values))
        {
            await next(http);
            return;
        }

        if (values is not [{ } key] || !IsValidKey(key))
        {
            await ProblemDetailsDefaults.Problem(
                StatusCodes.Status400BadRequest,
                ProblemCodes.BadRequest,
                "The Idempotency-Key header is invalid.",
                $"Send one key of 1 to {KeyMaxLength} printable ASCII characters, e.g. a UUID.").ExecuteAsync(http);
            return;
        }

        var store = http.RequestServices.GetRequiredService<IdempotencyStore>();
        var scope = ScopeOf(http.User);
        var fingerprint = await FingerprintAsync(http.Request, http.RequestAborted);
        var begin = await store.BeginAsync(scope, key, fingerprint, http.RequestAborted);

        if (!begin.Started)
        {
            await AnswerExistingAsync(http, begin.Existing, fingerprint);
            return;
        }

        await RunAndStoreAsync(http, next, store, scope, key);
    }

    /// <summary>
    /// Whose keys these are. Each signed-in user has a key space of their own (<c>user:</c> and their id, the token's
    /// <c>sub</c>), so that another user sending the same key and body runs their own request instead of being handed
    /// the first user's response. Anonymous callers share the empty scope, which no user's scope can equal.
    /// </summary>
    internal static string ScopeOf(ClaimsPrincipal user) =>
        user.Identity?.IsAuthenticated == true
        && (user.FindFirstValue("sub") ?? user.FindFirstValue(ClaimTypes.NameIdentifier)) is { Length: > 0 } id
            ? "user:" + id
            : string.Empty;

    /// <summary>
    /// Printable ASCII only (what Stripe accepts): no control characters, nothing a log or a header could split on.
    /// Spaces may not start or end it: HTTP trims them, so such a key would not survive a proxy unchanged.
    /// </summary>
    private static bool IsValidKey(string key) =>
        key.Length is > 0 and <= KeyMaxLength
        && key.All(c => c is >= '\x20' and <= '\x7E')
        && key[0] != ' '
        && key[^1] != ' ';

    /// <summary>
    /// Method, path (with query) and the SHA-256 of the raw body bytes. The body is buffered so that binding reads it again.
    /// </summary>
    private static async Task<string> FingerprintAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        request.EnableBuffering();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes($"{request.Method} {request.Path}{request.QueryString}\n"));

        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(buffer, cancellationToken)) > 0)
        {
            hash.AppendData(buffer, 0, read);
        }

        request.Body.Position = 0;
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static async Task AnswerExistingAsync(HttpContext http, IdempotencyRecord? existing, string fingerprint)
    {
        if (existing is not null && existing.Fingerprint != fingerprint)
        {
            await ProblemDetailsDefaults.Problem(
                StatusCodes.Status422UnprocessableEntity,
                ProblemCodes.IdempotencyKeyReused,
                "The Idempotency-Key was already used with a different request.",
                "Use a new key for a new request; a retry must repeat the first request exactly.").ExecuteAsync(http);
            return;
        }

        if (existing is not { CompletedAt: not null, StatusCode: { } status })
        {
            http.Response.Headers.RetryAfter = ((int)RetryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
            await ProblemDetailsDefaults.Problem(
                StatusCodes.Status409Conflict,
                ProblemCodes.IdempotencyRequestInProgress,
                "A request with this Idempotency-Key is still in progress.",
                "Retry after the delay in the Retry-After header to get its response.").ExecuteAsync(http);
            return;
        }

        http.Response.StatusCode = status;
        http.Response.Headers[ReplayedHeader] = "true";
        if (existing.Location is not null)
        {
            http.Response.Headers.Location = existing.Location;
        }

        if (existing.ETag is not null)
        {
            http.Response.Headers.ETag = existing.ETag;
        }

        var body = existing.ResponseBody ?? [];
        if (existing.ContentType is not null)
        {
            http.Response.ContentType = existing.ContentType;
        }

        if (body.Length > 0)
        {
            await http.Response.Body.WriteAsync(body, http.RequestAborted);
        }
    }

    /// <summary>
    /// Runs the endpoint into a buffer, stores what it answered, then sends it. A 5xx or an exception releases the key
    /// (the failure may be transient, and the draft lets the client retry); any other answer, 4xx validation included,
    /// is stored and replayed, because repeating the same request would only get the same answer.
    /// </summary>
    private static async Task RunAndStoreAsync(HttpContext http, RequestDelegate next, IdempotencyStore store, string scope, string key)
    {
        var originalBody = http.Features.Get<IHttpResponseBodyFeature>()!;
        using var buffer = new MemoryStream();
        var capture = new StreamResponseBodyFeature(buffer, originalBody);
        http.Features.Set<IHttpResponseBodyFeature>(capture);
        try
        {
            await next(http);
            await capture.CompleteAsync();
        }
        catch
        {
            // The exception handler answers (500, 503...); CancellationToken.None: the key must be freed even if the
            // client went away.
            await store.ReleaseAsync(scope, key, CancellationToken.None);
            throw;
        }
        finally
        {
            http.Features.Set(originalBody);
            capture.Dispose();
        }

        var response = http.Response;
        var body = buffer.ToArray();
        if (response.StatusCode >= StatusCodes.Status500InternalServerError)
        {
            await store.ReleaseAsync(scope, key, CancellationToken.None);
        }
        else
        {
            await store.CompleteAsync(
                scope,
                key,
                new IdempotentResponse(
                    response.StatusCode,
                    response.ContentType,
                    response.Headers.Location.Count > 0 ? response.Headers.Location.ToString() : null,
                    response.Headers.ETag.Count > 0 ? response.Headers.ETag.ToString() : null,
                    body),
                CancellationToken.None);
        }

        if (body.Length > 0)
        {
            await response.Body.WriteAsync(body, http.RequestAborted);
        }
    }
}
