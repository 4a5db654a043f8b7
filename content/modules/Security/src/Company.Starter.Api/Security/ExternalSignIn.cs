using System.Security.Claims;
using Company.Starter.Api.Http;
using Company.Starter.Api.Security.Tokens;
using Company.Starter.Data.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Company.Starter.Api.Security;

/// <summary>
/// Sign-in with the configured OpenID Connect provider: <c>GET /api/auth/external/oidc</c> starts the authorization
/// code flow with PKCE; the provider returns to the handler's callback path, and then to
/// <c>/api/auth/external/callback</c>, which links the external account to a local one and signs the browser in.
/// </summary>
public static class ExternalSignIn
{
    public const string ExternalMethod = "oidc";

    public static IEndpointRouteBuilder MapExternalSignIn(this IEndpointRouteBuilder endpoints)
    {
        if (!endpoints.ServiceProvider.GetRequiredService<IOptions<OidcOptions>>().Value.Enabled)
        {
            return endpoints;
        }

        var external = endpoints.MapGroup("/api/auth/external").WithTags("Auth").ExcludeFromDescription()
            .RequireRateLimiting(SecurityExtensions.AuthRateLimitPolicy);
        external.MapGet("/oidc", Challenge);
        external.MapGet("/callback", CallbackAsync);
        return endpoints;
    }

    private static ChallengeHttpResult Challenge(string? returnUrl) => TypedResults.Challenge(
        new AuthenticationProperties { RedirectUri = $"/api/auth/external/callback?returnUrl={Uri.EscapeDataString(LocalOrRoot(returnUrl))}" },
        [SecurityExtensions.OidcScheme]);

    private static async Task<Results<RedirectHttpResult, ProblemHttpResult>> CallbackAsync(
        string? returnUrl,
        HttpContext http,
        UserManager<AppUser> users,
        TokenIssuer issuer,
        TimeProvider clock,
        CancellationToken cancellationToken)
    {
        var result = await http.AuthenticateAsync(IdentityConstants.ExternalScheme);
        await http.SignOutAsync(IdentityConstants.ExternalScheme);
        var subject = result.Principal?.FindFirstValue("sub");
        if (!result.Succeeded || subject is null)
        {
            return ProblemDetailsDefaults.Problem(StatusCodes.Status401Unauthorized, ProblemCodes.Unauthorized, "The external sign-in did not complete.");
        }

        var user = await users.FindByLoginAsync(SecurityExtensions.OidcScheme, subject);
        if (user is null)
        {
            var email = result.Principal!.FindFirstValue("email");
            var verified = string.Equals(result.Principal.FindFirstValue("email_verified"), "true", StringComparison.OrdinalIgnoreCase);
            if (email is null || !verified)
            {
                return ProblemDetailsDefaults.Problem(
                    StatusCodes.Status400BadRequest, ProblemCodes.BadRequest, "The provider did not share a verified email.", "Allow the email scope, or sign in another way.");
            }

            // An existing local account is never taken over by an external one that claims its email: that needs the
            // owner to sign in first and link it.
            if (await users.FindByEmailAsync(email) is not null)
            {
                return ProblemDetailsDefaults.Problem(
                    StatusCodes.Status409Conflict, AuthProblems.EmailTaken, "An account with this email exists.", "Sign in to it first, then link the provider.");
            }

            user = new AppUser { UserName = email, Email = email, EmailConfirmed = true, CreatedAt = clock.GetUtcNow().UtcDateTime };
            var created = await users.CreateAsync(user);
            var linked = created.Succeeded ? await users.AddLoginAsync(user, new UserLoginInfo(SecurityExtensions.OidcScheme, subject, SecurityExtensions.OidcScheme)) : created;
            if (!linked.Succeeded)
            {
                return ProblemDetailsDefaults.Problem(StatusCodes.Status409Conflict, ProblemCodes.Conflict, "The account could not be created.");
            }
        }

        // No lockout check: the provider authenticated the user, and the lockout only counts password guesses here,
        // which anyone who knows the email can make.
        AuthEndpoints.Respond(http, await issuer.SignInAsync(user, ExternalMethod, cancellationToken), useCookies: true, clock);
        return TypedResults.LocalRedirect(LocalOrRoot(returnUrl));
    }

    /// <summary>The URL if it is a path on this site, else <c>/</c>: a redirect never leaves the site (no open redirect).</summary>
    internal static string LocalOrRoot(string? url) =>
        url is { Length: > 0 } && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\')) ? url : "/";
}
