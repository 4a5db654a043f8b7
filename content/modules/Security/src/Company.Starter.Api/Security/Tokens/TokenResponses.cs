namespace Company.Starter.Api.Security.Tokens;

/// <summary>
/// Answers that carry tokens (sign-in, refresh, passkey sign-in, password change, external sign-in) must never be kept
/// by a cache (RFC 6749 §5.1, OWASP): a shared proxy or the browser's disk cache would hold a bearer token, or a
/// refresh token in a Set-Cookie header, for whoever reads it next. Applied to whole groups of endpoints, so a new
/// token endpoint in them is covered without anyone remembering to.
/// </summary>
public static class TokenResponses
{
    /// <summary>Marks every response of the endpoints <c>Cache-Control: no-store</c>, whatever their outcome.</summary>
    public static TBuilder WithNoStore<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(static (context, next) =>
        {
            // Before the endpoint runs, so that no way of answering (a result, a redirect, a problem) can miss it.
            context.HttpContext.Response.Headers.CacheControl = "no-store";
            return next(context);
        });
}
