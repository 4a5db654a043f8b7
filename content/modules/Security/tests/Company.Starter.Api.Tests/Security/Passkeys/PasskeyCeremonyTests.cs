using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Company.Starter.Data.Security;
using Company.Starter.Testing;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace Company.Starter.Api.Tests.Security.Passkeys;

/// <summary>
/// The passkey ceremonies against the real endpoints, with a software authenticator: what an honest browser gets, and
/// what a replayed, forged, misdirected, out-of-order or malformed answer gets (a 400 problem and no tokens, never a
/// 500). <see cref="PasskeyBrowserTests"/> run the same ceremonies in Chromium.
/// </summary>
public sealed class PasskeyCeremonyTests(TestEnvironment environment)
{
    private static CancellationToken CancellationToken => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_passkey_creates_an_account_that_signs_in_again_without_a_username()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var browser = new PasskeyApiClient(api);

        var options = JsonNode.Parse(await browser.CreationOptionsAsync("ada@example.test"))!;
        Assert.Equal("localhost", options["rp"]!["id"]!.GetValue<string>());
        Assert.Equal("ada@example.test", options["user"]!["name"]!.GetValue<string>());
        Assert.Equal("required", options["authenticatorSelection"]!["residentKey"]!.GetValue<string>());
        Assert.Equal("required", options["authenticatorSelection"]!["userVerification"]!.GetValue<string>());
        var registered = await browser.RegisterAsync(browser.Authenticator.Create(options.ToJsonString()));
        PasskeyApiClient.AssertSetsTokenCookies(registered);
        var passkey = (await registered.ReadDataAsync(HttpStatusCode.Created)).GetProperty("data");
        Assert.Equal(browser.Authenticator.Credentials[0].IdBase64Url, passkey.GetProperty("id").GetString());
        Assert.Equal("internal", Assert.Single(passkey.GetProperty("transports").EnumerateArray()).GetString());

        var me = await browser.MeAsync();
        Assert.NotNull(me);
        Assert.Equal("ada@example.test", me.Value.GetProperty("email").GetString());
        Assert.Equal("passkey", me.Value.GetProperty("authenticationMethod").GetString());
        var userId = me.Value.GetProperty("id").GetString();

        // Another browser session with the same authenticator: no email, no cookies, only the passkey.
        using var later = new PasskeyApiClient(api.CreateAnonymousClient(), browser.Authenticator);
        Assert.Null(await later.MeAsync());
        var requestOptions = JsonNode.Parse(await later.RequestOptionsAsync())!;
        Assert.Empty(requestOptions["allowCredentials"]?.AsArray() ?? []);
        Assert.Equal("localhost", requestOptions["rpId"]!.GetValue<string>());

        await later.SignInAsync();

        var again = await later.MeAsync();
        Assert.NotNull(again);
        Assert.Equal(userId, again.Value.GetProperty("id").GetString());
        Assert.Equal("passkey", again.Value.GetProperty("authenticationMethod").GetString());
    }

    [Fact]
    public async Task An_email_that_has_an_account_cannot_start_another_sign_up()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var browser = new PasskeyApiClient(api);
        await browser.SignUpAsync("taken@example.test");

        using var other = new PasskeyApiClient(api);
        var response = await other.Http.PostAsJsonAsync($"{PasskeyApiClient.Passkeys}/creation-options", new { email = "taken@example.test" }, CancellationToken);

        await response.ReadProblemAsync(HttpStatusCode.Conflict, "email_taken");
    }

    [Fact]
    public async Task Request_options_do_not_reveal_which_emails_have_accounts()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var browser = new PasskeyApiClient(api);
        await browser.SignUpAsync("known@example.test");

        var known = JsonNode.Parse(await browser.RequestOptionsAsync("known@example.test"))!.AsObject();
        var unknown = JsonNode.Parse(await browser.RequestOptionsAsync("nobody@example.test"))!.AsObject();

        // Same fields, and no credential ids: the answer for an account looks like the answer for no account.
        Assert.Equal(unknown.Select(p => p.Key).Order(), known.Select(p => p.Key).Order());
        Assert.Empty(known["allowCredentials"]?.AsArray() ?? []);
        Assert.DoesNotContain(browser.Authenticator.Credentials[0].IdBase64Url, known.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_replayed_assertion_is_refused_even_when_the_counter_cannot_tell()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        // A synced passkey: its signature counter stays 0, so only the server's single-use challenge stops a replay.
        using var browser = new PasskeyApiClient(api.CreateAnonymousClient(), new SoftwareAuthenticator("https://localhost") { CountsSignatures = false });
        await browser.SignUpAsync("replay@example.test");
        var assertion = await browser.SignInAsync();

        // The same answer again: its challenge was used up by the first sign-in.
        await PasskeyApiClient.AssertRefusedAsync(await browser.LoginAsync(assertion), "replayed with no ceremony underway");

        // The same answer during a new ceremony: the new challenge is not the one it signed.
        await browser.RequestOptionsAsync();
        var problem = await PasskeyApiClient.AssertRefusedAsync(await browser.LoginAsync(assertion), "replayed into a new ceremony");
        Assert.Contains("challenge", problem.GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);

        // An attacker who also copied the ceremony's state cookie: the challenge is single-use on the server too.
        using var copier = api.CreateAnonymousClient(handleCookies: false);
        copier.DefaultRequestHeaders.Add("Origin", "https://localhost");
        var options = await copier.PostAsJsonAsync($"{PasskeyApiClient.Passkeys}/request-options", new { }, CancellationToken);
        var stateCookie = Assert.Single(options.Headers.GetValues("Set-Cookie"), cookie => cookie.StartsWith("Identity.TwoFactorUserId=", StringComparison.Ordinal)).Split(';')[0];
        var fresh = browser.Authenticator.Get(await options.Content.ReadAsStringAsync(CancellationToken));
        var first = await SendWithCookieAsync(copier, stateCookie, fresh);
        Assert.True(PasskeyApiClient.IssuesTokens(first), await first.Content.ReadAsStringAsync(CancellationToken));
        // It carries tokens: no cache may keep it.
        Assert.True(first.Headers.CacheControl?.NoStore, $"Cache-Control: {first.Headers.CacheControl}");
        await PasskeyApiClient.AssertRefusedAsync(await SendWithCookieAsync(copier, stateCookie, fresh), "replayed with a copy of the state cookie");
    }

    /// <summary>Cookies the state cookie's name is a prefix of: Identity ignores them, the replay guard must too.</summary>
    public static TheoryData<string> LookAlikeCookies =>
    [
        "Identity.TwoFactorUserIdC1=chunk",
        "Identity.TwoFactorUserIdX=1",
        "Identity.TwoFactorUserId_=anything",
    ];

    [Theory]
    [MemberData(nameof(LookAlikeCookies))]
    public async Task A_replay_is_refused_whatever_other_cookies_come_with_it(string lookAlike)
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var browser = new PasskeyApiClient(api.CreateAnonymousClient(), new SoftwareAuthenticator("https://localhost") { CountsSignatures = false });
        await browser.SignUpAsync("lookalike@example.test");
        // An attacker who copied a ceremony's state cookie and its answer, and sends them again with one more cookie.
        using var copier = api.CreateAnonymousClient(handleCookies: false);
        copier.DefaultRequestHeaders.Add("Origin", "https://localhost");

        var options = await copier.PostAsJsonAsync($"{PasskeyApiClient.Passkeys}/request-options", new { }, CancellationToken);
        var stateCookie = StateCookie(options);
        var assertion = browser.Authenticator.Get(await options.Content.ReadAsStringAsync(CancellationToken));
        var first = await SendWithCookieAsync(copier, stateCookie, assertion);
        Assert.True(PasskeyApiClient.IssuesTokens(first), await first.Content.ReadAsStringAsync(CancellationToken));
        await PasskeyApiClient.AssertRefusedAsync(await SendWithCookieAsync(copier, $"{stateCookie}; {lookAlike}", assertion), "sign-in replayed with a look-alike cookie");
        await PasskeyApiClient.AssertRefusedAsync(await SendWithCookieAsync(copier, $"{lookAlike}; {stateCookie}", assertion), "sign-in replayed with a look-alike cookie first");

        // A registration the same way: it creates its account once, and its replay is refused as a replay.
        options = await copier.PostAsJsonAsync($"{PasskeyApiClient.Passkeys}/creation-options", new { email = "second@example.test" }, CancellationToken);
        stateCookie = StateCookie(options);
        var attestation = browser.Authenticator.Create(await options.Content.ReadAsStringAsync(CancellationToken));
        var created = await SendWithCookieAsync(copier, stateCookie, attestation, $"{PasskeyApiClient.Passkeys}/register");
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        await PasskeyApiClient.AssertRefusedAsync(
            await SendWithCookieAsync(copier, $"{stateCookie}; {lookAlike}", attestation, $"{PasskeyApiClient.Passkeys}/register"), "registration replayed with a look-alike cookie");
    }

    [Fact]
    public async Task A_passkey_signs_in_an_account_that_password_guessing_locked()
    {
        const string Email = "guessed@example.test";
        await using var api = await ApiFactory.StartAsync(environment);
        using var browser = new PasskeyApiClient(api);
        await browser.SignUpAsync(Email);
        await using (var scope = api.Services.CreateAsyncScope())
        {
            // A password too, with a confirmed email: an account whose password sign-in counts failures.
            var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
            var user = (await users.FindByEmailAsync(Email))!;
            user.EmailConfirmed = true;
            Assert.True((await users.UpdateAsync(user)).Succeeded);
            Assert.True((await users.AddPasswordAsync(user, Accounts.Password)).Succeeded);
        }

        // Anyone who knows the email can lock the account by guessing its password.
        using var guesser = api.CreateAnonymousClient(handleCookies: false);
        for (var attempt = 0; attempt < 5; attempt++)
        {
            await Accounts.PostLoginAsync(guesser, Email, $"wrong guess number {attempt}");
        }

        Assert.True(await IsLockedOutAsync(api, Email));

        // The owner still signs in with the passkey, which no guess gets past.
        using var owner = new PasskeyApiClient(api.CreateAnonymousClient(), browser.Authenticator);
        await owner.SignInAsync();
        Assert.Equal(Email, (await owner.MeAsync())?.GetProperty("email").GetString());

        // ...and the sign-in lives on: its refresh is not refused because of the password lockout.
        using var refreshed = await owner.Http.PostAsync("/api/auth/refresh?useCookies=true", content: null, TestContext.Current.CancellationToken);
        Assert.True(refreshed.IsSuccessStatusCode, $"refresh → {(int)refreshed.StatusCode}: {await refreshed.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)}");

        // The passkey neither lifts the password lockout nor is counted by it.
        Assert.True(await IsLockedOutAsync(api, Email));
    }

    [Fact]
    public async Task An_assertion_signed_with_another_key_is_refused()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var browser = new PasskeyApiClient(api);
        await browser.SignUpAsync("forged@example.test");
        using var forger = new PasskeyApiClient(api.CreateAnonymousClient(), browser.Authenticator);
        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        var forged = browser.Authenticator.Get(await forger.RequestOptionsAsync(), signingKey: otherKey);

        await PasskeyApiClient.AssertRefusedAsync(await forger.LoginAsync(forged), "signed with a key the server does not know");
        Assert.Null(await forger.MeAsync());
    }

    [Fact]
    public async Task Ceremonies_for_another_origin_are_refused()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var browser = new PasskeyApiClient(api);

        // A registration whose client data names another origin creates no account.
        var registration = browser.Authenticator.Create(await browser.CreationOptionsAsync("phished@example.test"), clientOrigin: "https://evil.example");
        await PasskeyApiClient.AssertRefusedAsync(await browser.RegisterAsync(registration), "registration for https://evil.example");
        Assert.Null(await browser.MeAsync());

        await browser.SignUpAsync("phished@example.test");
        using var victim = new PasskeyApiClient(api.CreateAnonymousClient(), browser.Authenticator);

        // An assertion a look-alike site obtained: clientDataJSON says https://evil.example.
        var phished = browser.Authenticator.Get(await victim.RequestOptionsAsync(), clientOrigin: "https://evil.example");
        var problem = await PasskeyApiClient.AssertRefusedAsync(await victim.LoginAsync(phished), "assertion for https://evil.example");
        Assert.Contains("origin", problem.GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.Null(await victim.MeAsync());
    }

    [Fact]
    public async Task Configured_origins_are_the_only_ones_a_ceremony_may_come_from()
    {
        // Behind a proxy the public origin is not the one the app sees; Security:Passkeys:Origins names it.
        await using var api = await ApiFactory.StartAsync(environment, settings: new Dictionary<string, string?>
        {
            ["Security:Passkeys:Origins:0"] = "https://localhost:8443",
        });
        using var configured = new PasskeyApiClient(api, origin: "https://localhost:8443");
        await configured.SignUpAsync("proxied@example.test");

        // The request's own origin is no longer enough, even when the Origin header agrees with the client data.
        using var direct = new PasskeyApiClient(api.CreateAnonymousClient(), new SoftwareAuthenticator("https://localhost"));
        var registration = direct.Authenticator.Create(await direct.CreationOptionsAsync("direct@example.test"));
        await PasskeyApiClient.AssertRefusedAsync(await direct.RegisterAsync(registration), "registration from the unlisted origin");
        var assertion = configured.Authenticator.Get(await direct.RequestOptionsAsync(), clientOrigin: "https://localhost");
        await PasskeyApiClient.AssertRefusedAsync(await direct.LoginAsync(assertion), "assertion from the unlisted origin");
        Assert.Null(await direct.MeAsync());

        await configured.SignInAsync();
        Assert.Equal("proxied@example.test", (await configured.MeAsync())?.GetProperty("email").GetString());
    }

    [Fact]
    public async Task Answers_without_their_own_options_are_400_problems()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var setup = new PasskeyApiClient(api);
        await setup.SignUpAsync("order@example.test");
        var validAssertion = setup.Authenticator.Get(await setup.RequestOptionsAsync());
        var validAttestation = setup.Authenticator.Create(await setup.CreationOptionsAsync("order2@example.test"));

        using var browser = new PasskeyApiClient(api.CreateAnonymousClient(), setup.Authenticator);
        await PasskeyApiClient.AssertRefusedAsync(await browser.LoginAsync(validAssertion), "login with no ceremony underway");
        await PasskeyApiClient.AssertRefusedAsync(await browser.RegisterAsync(validAttestation), "register with no ceremony underway");

        await browser.RequestOptionsAsync();
        await PasskeyApiClient.AssertRefusedAsync(await browser.RegisterAsync(validAttestation), "register during a sign-in ceremony");

        await browser.CreationOptionsAsync("order3@example.test");
        await PasskeyApiClient.AssertRefusedAsync(await browser.LoginAsync(validAssertion), "login during a registration ceremony");

        Assert.Null(await browser.MeAsync());
    }

    [Fact]
    public async Task Malformed_answers_are_4xx_problems_never_500()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var browser = new PasskeyApiClient(api);
        await browser.SignUpAsync("malformed@example.test");
        var valid = JsonNode.Parse(browser.Authenticator.Get(await browser.RequestOptionsAsync()))!.AsObject();

        (string Case, string Body, string MediaType)[] cases =
        [
            ("not JSON", "this is not json", "application/json"),
            ("truncated JSON", "{\"id\": \"abc\", \"response\": {", "application/json"),
            ("JSON null", "null", "application/json"),
            ("a JSON array", "[]", "application/json"),
            ("a JSON string", "\"public-key\"", "application/json"),
            ("an empty object", "{}", "application/json"),
            ("an empty body", "", "application/json"),
            ("the wrong credential type", With(valid, c => c["type"] = "password"), "application/json"),
            ("no response", With(valid, c => c.Remove("response")), "application/json"),
            ("an id that is not base64url", With(valid, c => { c["id"] = "***"; c["rawId"] = "***"; }), "application/json"),
            ("client data that is not base64url", With(valid, c => c["response"]!["clientDataJSON"] = "%%%"), "application/json"),
            ("client data that is not JSON", With(valid, c => c["response"]!["clientDataJSON"] = SoftwareAuthenticator.Base64Url("garbage"u8)), "application/json"),
            ("truncated authenticator data", With(valid, c => c["response"]!["authenticatorData"] = SoftwareAuthenticator.Base64Url(new byte[5])), "application/json"),
            ("a signature of zeros", With(valid, c => c["response"]!["signature"] = SoftwareAuthenticator.Base64Url(new byte[72])), "application/json"),
            ("a user handle of another account", With(valid, c => c["response"]!["userHandle"] = SoftwareAuthenticator.Base64Url("someone-else"u8)), "application/json"),
            ("an unknown credential", With(valid, c => { c["id"] = SoftwareAuthenticator.Base64Url(new byte[32]); c["rawId"] = SoftwareAuthenticator.Base64Url(new byte[32]); }), "application/json"),
            ("numbers where strings go", "{\"id\": 1, \"rawId\": 2, \"type\": 3, \"response\": 4}", "application/json"),
            ("deep nesting", new string('[', 500) + new string(']', 500), "application/json"),
            ("200 KB of JSON", $"{{\"id\": \"{new string('A', 200_000)}\"}}", "application/json"),
        ];

        // A body that is not JSON at all is refused by its content type, as on every JSON endpoint: a 415 problem.
        (string Case, string Body, string MediaType)[] notJson =
        [
            ("the right JSON as text/plain", valid.ToJsonString(), "text/plain"),
            ("a form", "id=abc&type=public-key", "application/x-www-form-urlencoded"),
            ("XML", "<credential id=\"abc\"/>", "application/xml"),
        ];

        foreach (var (name, body, mediaType) in cases.Concat(notJson))
        {
            foreach (var ceremony in new[] { "register", "login" })
            {
                // A ceremony underway, so that the answer itself is what is judged.
                if (ceremony == "register")
                {
                    await browser.CreationOptionsAsync(email: null);
                }
                else
                {
                    await browser.RequestOptionsAsync();
                }

                var path = ceremony == "register" ? $"{PasskeyApiClient.Passkeys}/register" : $"{PasskeyApiClient.Passkeys}/login?useCookies=true";
                using var response = await browser.PostAsync(path, body, mediaType);

                var (status, code) = mediaType == "application/json"
                    ? (HttpStatusCode.BadRequest, "passkey_failed")
                    : (HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
                var text = await response.Content.ReadAsStringAsync(CancellationToken);
                Assert.True(response.StatusCode == status, $"{ceremony} with {name}: expected {(int)status}, got {(int)response.StatusCode}: {text}");
                Assert.False(PasskeyApiClient.IssuesTokens(response), $"{ceremony} with {name} set token cookies.");
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                Assert.Equal(code, JsonDocument.Parse(text).RootElement.GetProperty("code").GetString());
            }
        }

        // Nothing of the above added a passkey: the account still has exactly the one it signed up with.
        Assert.Single((await browser.ListAsync()).EnumerateArray());
    }

    [Fact]
    public async Task A_body_over_the_request_limit_is_a_413_problem_before_it_is_read()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var browser = new PasskeyApiClient(api);
        await browser.RequestOptionsAsync();

        using var response = await browser.PostAsync($"{PasskeyApiClient.Passkeys}/login?useCookies=true", $"{{\"id\": \"{new string('A', 2_000_000)}\"}}");

        await response.ReadProblemAsync(HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
        Assert.False(PasskeyApiClient.IssuesTokens(response));
    }

    private static async Task<bool> IsLockedOutAsync(ApiFactory api, string email)
    {
        await using var scope = api.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        return await users.IsLockedOutAsync((await users.FindByEmailAsync(email))!);
    }

    /// <summary>The ceremony's state cookie an options response sets, as a Cookie header sends it back.</summary>
    private static string StateCookie(HttpResponseMessage options) =>
        Assert.Single(options.Headers.GetValues("Set-Cookie"), cookie => cookie.StartsWith("Identity.TwoFactorUserId=", StringComparison.Ordinal)).Split(';')[0];

    private static Task<HttpResponseMessage> SendWithCookieAsync(HttpClient client, string cookie, string credentialJson, string path = $"{PasskeyApiClient.Passkeys}/login?useCookies=true")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new StringContent(credentialJson, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Cookie", cookie);
        return client.SendAsync(request, CancellationToken);
    }

    private static string With(JsonObject credential, Action<JsonObject> change)
    {
        var copy = credential.DeepClone().AsObject();
        change(copy);
        return copy.ToJsonString();
    }
}
