using System.Net;
using System.Net.Http.Json;
using Company.Starter.Data.Security;
using Company.Starter.Testing;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace Company.Starter.Api.Tests.Security;

/// <summary>
/// No cache may keep an answer that carries a token (RFC 6749 §5.1): every response of the auth endpoints says
/// <c>Cache-Control: no-store</c>, whatever its outcome. The passkey sign-in is covered in
/// <c>PasskeyCeremonyTests</c>.
/// </summary>
public sealed class TokenResponseTests(TestEnvironment environment)
{
    private const string Email = "cache@example.test";
    private const string NewPassword = "a different horse, same battery";

    private static CancellationToken CancellationToken => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Answers_that_carry_tokens_are_never_stored_by_caches()
    {
        await using var api = await ApiFactory.StartAsync(environment, settings: new Dictionary<string, string?>
        {
            // The external sign-in's endpoints exist once a provider is configured; none is contacted here.
            ["Security:Oidc:Authority"] = "https://idp.example.test",
            ["Security:Oidc:ClientId"] = "company-starter",
        });
        using var client = api.CreateAnonymousClient(handleCookies: false);
        var hasher = api.Services.GetRequiredService<IPasswordHasher<AppUser>>();
        await Accounts.SeedUserAsync(api, Email, hasher.HashPassword(new AppUser(), Accounts.Password));

        var login = await Accounts.PostLoginAsync(client, Email);
        AssertNoStore(login, "password sign-in, tokens in the body");
        var tokens = IssuedTokens.From(await login.ReadDataAsync(HttpStatusCode.OK));

        AssertNoStore(await Accounts.PostLoginAsync(client, Email, useCookies: true), "password sign-in, tokens as cookies");

        var refresh = await Accounts.RefreshAsync(client, tokens.RefreshToken);
        AssertNoStore(refresh, "refresh");
        var refreshed = IssuedTokens.From(await refresh.ReadDataAsync(HttpStatusCode.OK));

        using var signedIn = api.CreateBearerClient(refreshed.AccessToken);
        var change = await signedIn.PostAsJsonAsync("/api/auth/password", new { currentPassword = Accounts.Password, newPassword = NewPassword }, CancellationToken);
        AssertNoStore(change, "password change");
        IssuedTokens.From(await change.ReadDataAsync(HttpStatusCode.OK));

        // Refusals too: the same endpoints, so that no outcome is ever the one a cache keeps.
        AssertNoStore(await Accounts.PostLoginAsync(client, Email, "not the password"), "a refused sign-in");
        AssertNoStore(await client.GetAsync("/api/auth/external/callback", CancellationToken), "the external sign-in's callback");
        AssertNoStore(await signedIn.GetAsync("/api/auth/me", CancellationToken), "the signed-in user");
    }

    private static void AssertNoStore(HttpResponseMessage response, string what) =>
        Assert.True(response.Headers.CacheControl?.NoStore == true, $"{what} ({(int)response.StatusCode}): Cache-Control is '{response.Headers.CacheControl}'");
}
