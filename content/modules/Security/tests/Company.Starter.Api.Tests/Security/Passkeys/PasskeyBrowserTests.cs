using System.Text.Json;
using Company.Starter.Testing;
using Microsoft.Playwright;

namespace Company.Starter.Api.Tests.Security.Passkeys;

/// <summary>
/// The sign-in page (wwwroot/account) in a real Chromium, against the real app on Kestrel and a real database, with
/// Chromium's virtual authenticator standing in for the user's device: the whole passkey journey, and the attacks a
/// browser can actually mount.
/// </summary>
public sealed partial class PasskeyBrowserTests(TestEnvironment environment, Chromium chromium) : IClassFixture<Chromium>
{
    private const string AccessCookie = "__Host-access_token";
    private const string RefreshCookie = "__Secure-refresh_token";

    [Fact]
    public async Task A_user_signs_up_signs_out_and_signs_back_in_with_a_passkey_and_no_username()
    {
        await using var tab = await chromium.OpenTabAsync();
        var (context, page) = (tab.Context, tab.Page);
        await using var api = await ApiFactory.StartAsync(environment);
        var origin = KestrelApp.Serve(api, KestrelApp.FreePorts(1))[0];
        var authenticator = await VirtualAuthenticator.AttachAsync(context, page);
        var email = "grace@example.test";

        await page.GotoAsync($"{origin}/account/index.html");
        await Assertions.Expect(page.Locator("#signed-out")).ToBeVisibleAsync();
        Assert.True(await page.EvaluateAsync<bool>("() => window.isSecureContext && typeof PublicKeyCredential === 'function'"));

        // Sign up: an email, then the device makes a passkey; the account is created and signed in.
        await page.FillAsync("#email", email);
        await page.ClickAsync("#sign-up button[type=submit]");
        await Assertions.Expect(page.Locator("#signed-in")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#user-name")).ToHaveTextAsync(email);
        await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("Account created and signed in.");
        await Assertions.Expect(page.Locator("#passkeys li")).ToHaveCountAsync(1);
        var stored = Assert.Single(await authenticator.CredentialsAsync());
        Assert.True(stored.GetProperty("isResidentCredential").GetBoolean());
        Assert.Equal("localhost", stored.GetProperty("rpId").GetString());
        var cookies = await context.CookiesAsync();
        var access = Assert.Single(cookies, c => c.Name == AccessCookie);
        Assert.True(access.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, access.SameSite);
        Assert.Equal("/api/auth", Assert.Single(cookies, c => c.Name == RefreshCookie).Path);
        // HttpOnly: the page's own script cannot read the tokens.
        Assert.DoesNotContain("access_token", await page.EvaluateAsync<string>("() => document.cookie"), StringComparison.Ordinal);

        // Sign out with the page's form (antiforgery token included): back to the signed-out view, the cookies gone.
        await SignOutAsync(page);
        Assert.DoesNotContain(await context.CookiesAsync(), c => c.Name is AccessCookie or RefreshCookie);
        Assert.Equal(401, await page.EvaluateAsync<int>("async () => (await fetch('/api/auth/me')).status"));

        // Sign in with nothing typed: the request options name no account, the authenticator offers its passkey.
        Assert.Equal(string.Empty, await page.InputValueAsync("#email"));
        var requestOptions = await page.RunAndWaitForResponseAsync(
            () => page.ClickAsync("#sign-in"), response => response.Url.EndsWith("/api/auth/passkeys/request-options", StringComparison.Ordinal));
        var sentOptions = requestOptions.Request.PostDataJSON();
        Assert.False(sentOptions!.Value.TryGetProperty("email", out _));
        Assert.Empty((await requestOptions.JsonAsync())!.Value.TryGetProperty("allowCredentials", out var allowed) ? allowed.EnumerateArray() : []);
        await Assertions.Expect(page.Locator("#signed-in")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#user-name")).ToHaveTextAsync(email);
        await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("Signed in.");

        // The cookie alone now opens the protected endpoints, from the page's own context.
        var me = await page.EvaluateAsync<JsonElement>("async () => (await fetch('/api/auth/me')).json()");
        Assert.Equal(email, me.GetProperty("data").GetProperty("email").GetString());
        Assert.Equal("passkey", me.GetProperty("data").GetProperty("authenticationMethod").GetString());

        // The page's Remove button on the only passkey: refused, since the account would have no way in left.
        await page.ClickAsync("#passkeys li button");
        await Assertions.Expect(page.Locator("#status")).ToContainTextAsync("only way to sign in");
        await Assertions.Expect(page.Locator("#passkeys li")).ToHaveCountAsync(1);
    }

    [Fact]
    public async Task A_captured_browser_assertion_cannot_be_replayed()
    {
        await using var tab = await chromium.OpenTabAsync();
        var (context, page) = (tab.Context, tab.Page);
        await using var api = await ApiFactory.StartAsync(environment);
        var origin = KestrelApp.Serve(api, KestrelApp.FreePorts(1))[0];
        var authenticator = await VirtualAuthenticator.AttachAsync(context, page);
        await page.GotoAsync($"{origin}/account/index.html");
        await SignUpAsync(page, "replayed@example.test");
        await SignOutAsync(page);

        // What the page sends to /login is captured on its way (as a proxy, an extension or a log would see it).
        string? captured = null;
        await page.RouteAsync("**/api/auth/passkeys/login*", async route =>
        {
            captured = route.Request.PostData;
            await route.ContinueAsync();
        });
        await page.ClickAsync("#sign-in");
        await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("Signed in.");
        Assert.NotNull(captured);
        Assert.Equal("webauthn.get", ClientData(captured).GetProperty("type").GetString());
        Assert.True(Assert.Single(await authenticator.CredentialsAsync()).GetProperty("signCount").GetInt64() > 0);

        // Signed out again, the captured answer is posted once more from the same browser: no ceremony is underway.
        await SignOutAsync(page);
        var replayed = await PostFromPageAsync(page, "/api/auth/passkeys/login?useCookies=true", captured);
        AssertRefused(replayed, "the replayed assertion");
        Assert.DoesNotContain(await context.CookiesAsync(), c => c.Name is AccessCookie or RefreshCookie);

        // Nor during a new ceremony: the server's new challenge is not the one the captured answer signed.
        await PostFromPageAsync(page, "/api/auth/passkeys/request-options", "{}");
        var intoNewCeremony = await PostFromPageAsync(page, "/api/auth/passkeys/login?useCookies=true", captured);
        AssertRefused(intoNewCeremony, "the assertion replayed into a new ceremony");
        Assert.Contains("challenge", intoNewCeremony.GetProperty("body").GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(await context.CookiesAsync(), c => c.Name is AccessCookie or RefreshCookie);
        Assert.Equal(401, await page.EvaluateAsync<int>("async () => (await fetch('/api/auth/me')).status"));
    }

    [Fact]
    public async Task A_passkey_ceremony_from_an_origin_that_is_not_configured_is_refused()
    {
        await using var tab = await chromium.OpenTabAsync();
        var (context, page) = (tab.Context, tab.Page);
        // One app, two origins (same RP id "localhost", different ports); only the first is configured.
        var ports = KestrelApp.FreePorts(2);
        await using var api = await ApiFactory.StartAsync(environment, settings: new Dictionary<string, string?>
        {
            ["Security:Passkeys:Origins:0"] = $"http://localhost:{ports[0]}",
        });
        var origins = KestrelApp.Serve(api, ports);
        await VirtualAuthenticator.AttachAsync(context, page);

        await page.GotoAsync($"{origins[0]}/account/index.html");
        await SignUpAsync(page, "two-origins@example.test");
        await SignOutAsync(page);

        // The same page from the other origin: Chromium signs for that origin, and the app refuses it.
        await page.GotoAsync($"{origins[1]}/account/index.html");
        await Assertions.Expect(page.Locator("#signed-out")).ToBeVisibleAsync();
        var login = await page.RunAndWaitForResponseAsync(
            () => page.ClickAsync("#sign-in"), response => response.Url.Contains("/api/auth/passkeys/login", StringComparison.Ordinal));
        Assert.Equal(400, login.Status);
        Assert.Equal($"http://localhost:{ports[1]}", ClientData(login.Request.PostData!).GetProperty("origin").GetString());
        var problem = (await login.JsonAsync())!.Value;
        Assert.Equal("passkey_failed", problem.GetProperty("code").GetString());
        Assert.Contains("origin", problem.GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);
        await Assertions.Expect(page.Locator("#status")).ToHaveClassAsync("error");
        await Assertions.Expect(page.Locator("#signed-out")).ToBeVisibleAsync();
        Assert.DoesNotContain(await context.CookiesAsync(), c => c.Name is AccessCookie or RefreshCookie);

        // The passkey itself is fine: from the configured origin it signs in.
        await page.GotoAsync($"{origins[0]}/account/index.html");
        await page.ClickAsync("#sign-in");
        await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("Signed in.");
        await Assertions.Expect(page.Locator("#user-name")).ToHaveTextAsync("two-origins@example.test");
        await SignOutAsync(page);

        // A registration from the other origin is refused as well, and creates no account.
        await page.GotoAsync($"{origins[1]}/account/index.html");
        await page.FillAsync("#email", "second-origin@example.test");
        var register = await page.RunAndWaitForResponseAsync(
            () => page.ClickAsync("#sign-up button[type=submit]"), response => response.Url.EndsWith("/api/auth/passkeys/register", StringComparison.Ordinal));
        Assert.Equal(400, register.Status);
        Assert.Equal("passkey_failed", (await register.JsonAsync())!.Value.GetProperty("code").GetString());
        Assert.DoesNotContain(await context.CookiesAsync(), c => c.Name is AccessCookie or RefreshCookie);
        Assert.Equal(401, await page.EvaluateAsync<int>("async () => (await fetch('/api/auth/me')).status"));
    }

    /// <summary>Creates an account with the page's form and waits until the page shows it signed in (sign-out form ready).</summary>
    private static async Task SignUpAsync(IPage page, string email)
    {
        await page.FillAsync("#email", email);
        await page.ClickAsync("#sign-up button[type=submit]");
        await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("Account created and signed in.");
        await Assertions.Expect(page.Locator("#signed-in")).ToBeVisibleAsync();
    }

    /// <summary>Posts the sign-out form and waits for the reloaded page's script to find no session.</summary>
    private static async Task SignOutAsync(IPage page)
    {
        await page.RunAndWaitForResponseAsync(
            () => page.ClickAsync("#sign-out button[type=submit]"), response => response.Url.Contains("/api/auth/refresh", StringComparison.Ordinal));
        await Assertions.Expect(page.Locator("#signed-out")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#signed-in")).ToBeHiddenAsync();
    }

    /// <summary>The decoded clientDataJSON of a credential the page sent.</summary>
    private static JsonElement ClientData(string credentialJson)
    {
        var encoded = JsonDocument.Parse(credentialJson).RootElement.GetProperty("response").GetProperty("clientDataJSON").GetString()!;
        var padded = encoded.Replace('-', '+').Replace('_', '/').PadRight(encoded.Length + ((4 - (encoded.Length % 4)) % 4), '=');
        return JsonDocument.Parse(Convert.FromBase64String(padded)).RootElement;
    }

    private static Task<JsonElement> PostFromPageAsync(IPage page, string path, string body) => page.EvaluateAsync<JsonElement>(
        """
        async ([path, body]) => {
          const response = await fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
          return { status: response.status, type: response.headers.get('content-type'), body: await response.json() };
        }
        """,
        new[] { path, body });

    private static void AssertRefused(JsonElement response, string what)
    {
        Assert.True(response.GetProperty("status").GetInt32() == 400, $"{what}: {response}");
        Assert.StartsWith("application/problem+json", response.GetProperty("type").GetString(), StringComparison.Ordinal);
        Assert.Equal("passkey_failed", response.GetProperty("body").GetProperty("code").GetString());
    }
}
