namespace Company.Starter.Api.Security.Tokens;

/// <summary>
/// Browsers keep the tokens in cookies that scripts cannot read (HttpOnly), that travel only over HTTPS (Secure)
/// and never with a request another site started (SameSite=Strict). The refresh token is only sent to the
/// token endpoints.
/// </summary>
public static class TokenCookies
{
    /// <summary><c>__Host-</c>: the browser refuses it unless it is Secure, host-only and for path /.</summary>
    public const string AccessToken = "__Host-access_token";

    /// <summary><c>__Secure-</c>: Secure is enforced; its path limits it to <see cref="RefreshPath"/>.</summary>
    public const string RefreshToken = "__Secure-refresh_token";

    public const string RefreshPath = "/api/auth";

    public static void Write(HttpResponse response, TokenPair tokens)
    {
        response.Cookies.Append(AccessToken, tokens.AccessToken, Options("/", tokens.AccessTokenExpiresAt));
        response.Cookies.Append(RefreshToken, tokens.RefreshToken, Options(RefreshPath, tokens.RefreshTokenExpiresAt));
    }

    public static void Clear(HttpResponse response)
    {
        response.Cookies.Delete(AccessToken, Options("/", null));
        response.Cookies.Delete(RefreshToken, Options(RefreshPath, null));
    }

    private static CookieOptions Options(string path, DateTimeOffset? expires) => new()
    {
        HttpOnly = true,
        Secure = true,
        SameSite = SameSiteMode.Strict,
        Path = path,
        Expires = expires,
        IsEssential = true,
    };
}
