using System.Buffers.Text;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Company.Starter.Testing;
using Microsoft.AspNetCore.Authentication.OAuth;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace Company.Starter.Api.Tests.Security;

/// <summary>
/// Sign-in with an external OpenID Connect provider, when one is configured: the authorization code flow with PKCE
/// (S256) and the exact registered redirect URI, never the implicit flow. The provider's metadata is given in
/// process, so no network is needed.
/// </summary>
public sealed class OidcSignInTests(TestEnvironment environment)
{
    private const string Authority = "https://idp.example.test";
    private const string AuthorizationEndpoint = "https://idp.example.test/oauth2/authorize";

    private static CancellationToken CancellationToken => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(null, "https://localhost/signin-oidc")]
    [InlineData("/auth/callback/oidc", "https://localhost/auth/callback/oidc")]
    public async Task The_challenge_redirects_to_the_provider_with_the_code_flow_PKCE_and_the_exact_redirect_uri(string? callbackPath, string redirectUri)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Security:Oidc:Authority"] = Authority,
            ["Security:Oidc:ClientId"] = "starter-web",
        };
        if (callbackPath is not null)
        {
            settings["Security:Oidc:CallbackPath"] = callbackPath;
        }

        await using var api = await ApiFactory.StartAsync(environment, ProviderMetadata, settings);
        using var browser = api.CreateNonRedirectingClient();

        var response = await browser.GetAsync("/api/auth/external/oidc?returnUrl=/account", CancellationToken);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!;
        Assert.Equal(AuthorizationEndpoint, location.GetLeftPart(UriPartial.Path));
        var query = QueryHelpers.ParseQuery(location.Query);
        Assert.Equal("code", Single(query, "response_type"));
        Assert.Equal("S256", Single(query, "code_challenge_method"));
        Assert.Matches("^[A-Za-z0-9_-]{43}$", Single(query, "code_challenge"));
        Assert.Equal(redirectUri, Single(query, "redirect_uri"));
        Assert.Equal("starter-web", Single(query, "client_id"));
        Assert.Contains("openid", Single(query, "scope").Split(' '));
        Assert.False(string.IsNullOrEmpty(Single(query, "state")));
        Assert.False(string.IsNullOrEmpty(Single(query, "nonce")));
        // No implicit or hybrid flow: no token ever travels in the front channel.
        Assert.NotEqual("fragment", query.TryGetValue("response_mode", out var mode) ? mode.ToString() : null);

        // The verifier behind the challenge stays with the browser's state, in a cookie scripts cannot read.
        var cookies = response.Headers.GetValues("Set-Cookie").ToList();
        Assert.Contains(cookies, cookie => cookie.StartsWith(".AspNetCore.Correlation.", StringComparison.Ordinal));
        Assert.All(cookies, cookie =>
        {
            Assert.Contains("; secure", cookie, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("; httponly", cookie, StringComparison.OrdinalIgnoreCase);
        });
    }

    [Fact]
    public async Task The_code_challenge_is_the_S256_hash_of_a_fresh_verifier_kept_in_the_protected_state()
    {
        await using var api = await ApiFactory.StartAsync(environment, ProviderMetadata, new Dictionary<string, string?>
        {
            ["Security:Oidc:Authority"] = Authority,
            ["Security:Oidc:ClientId"] = "starter-web",
        });
        var options = api.Services.GetRequiredService<IOptionsMonitor<OpenIdConnectOptions>>().Get(SecurityExtensions.OidcScheme);

        var verifiers = new List<string>();
        for (var signIn = 0; signIn < 2; signIn++)
        {
            using var browser = api.CreateNonRedirectingClient();
            var response = await browser.GetAsync("/api/auth/external/oidc?returnUrl=/account", CancellationToken);
            var query = QueryHelpers.ParseQuery(response.Headers.Location!.Query);

            // The state is opaque to the provider and the browser; only the app can read the verifier back.
            var state = options.StateDataFormat.Unprotect(Single(query, "state"));
            Assert.NotNull(state);
            var verifier = state.Items[OAuthConstants.CodeVerifierKey]!;
            Assert.InRange(verifier.Length, 43, 128);
            Assert.Equal(Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))), Single(query, "code_challenge"));
            Assert.Equal("/api/auth/external/callback?returnUrl=%2Faccount", state.RedirectUri);
            verifiers.Add(verifier);
        }

        Assert.NotEqual(verifiers[0], verifiers[1]);
    }

    [Fact]
    public async Task Without_an_authority_there_is_no_external_sign_in()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var browser = api.CreateNonRedirectingClient();

        var response = await browser.GetAsync("/api/auth/external/oidc", CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    /// <summary>The provider's discovery document, given instead of fetched.</summary>
    private static void ProviderMetadata(IServiceCollection services) =>
        services.Configure<OpenIdConnectOptions>(SecurityExtensions.OidcScheme, options => options.Configuration = new OpenIdConnectConfiguration
        {
            Issuer = Authority,
            AuthorizationEndpoint = AuthorizationEndpoint,
            TokenEndpoint = "https://idp.example.test/oauth2/token",
            UserInfoEndpoint = "https://idp.example.test/oauth2/userinfo",
            JwksUri = "https://idp.example.test/.well-known/jwks.json",
            ResponseTypesSupported = { "code" },
            CodeChallengeMethodsSupported = { "S256" },
        });

    private static string Single(Dictionary<string, Microsoft.Extensions.Primitives.StringValues> query, string name)
    {
        Assert.True(query.TryGetValue(name, out var values), $"The authorization request has no {name}.");
        return Assert.Single(values)!;
    }
}
