using System.Net;
using Company.Starter.Api.Security.Tokens;
using Company.Starter.Testing;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Company.Starter.Api.Tests.Security;

/// <summary>What protects browsers: security headers on every response, antiforgery on cookie-authenticated forms, CORS.</summary>
public sealed class HardeningTests(TestEnvironment environment)
{
    private static CancellationToken CancellationToken => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("/.well-known/jwks.json", HttpStatusCode.OK)]
    [InlineData("/api/auth/me", HttpStatusCode.Unauthorized)]
    [InlineData("/no/such/path", HttpStatusCode.NotFound)]
    public async Task Every_response_carries_the_security_headers(string path, HttpStatusCode status)
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var client = CreateClient(api, "https://api.example.test");

        var response = await client.GetAsync(path, CancellationToken);

        Assert.Equal(status, response.StatusCode);
        var csp = Header(response, "Content-Security-Policy");
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.Contains("default-src 'self'", csp, StringComparison.Ordinal);
        Assert.Contains("object-src 'none'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
        Assert.Equal("nosniff", Header(response, "X-Content-Type-Options"));
        Assert.Equal("no-referrer", Header(response, "Referrer-Policy"));
        Assert.Equal("DENY", Header(response, "X-Frame-Options"));
        var hsts = Header(response, "Strict-Transport-Security");
        Assert.Matches(@"^max-age=(\d+); includeSubDomains$", hsts);
        Assert.True(long.Parse(hsts["max-age=".Length..hsts.IndexOf(';', StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture) >= 31_536_000, hsts);
    }

    [Fact]
    public async Task HSTS_is_only_sent_over_https()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var http = CreateClient(api, "http://api.example.test");

        var response = await http.GetAsync("/.well-known/jwks.json", CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("Strict-Transport-Security"));
        Assert.Equal("nosniff", Header(response, "X-Content-Type-Options"));
    }

    [Fact]
    public async Task The_sign_out_form_needs_the_antiforgery_token()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var browser = api.CreateNonRedirectingClient();
        await Accounts.RegisterAsync(api, browser, "form@example.test");
        await (await Accounts.PostLoginAsync(browser, "form@example.test", useCookies: true)).ReadDataAsync(HttpStatusCode.OK);

        // A cross-site form (or any without the token) is refused, and the browser stays signed in.
        var forged = await browser.PostAsync("/account/logout", Form(("returnUrl", "/account")), CancellationToken);
        await forged.ReadProblemAsync(HttpStatusCode.BadRequest, "bad_request");
        Assert.False(SetsCookie(forged, TokenCookies.AccessToken));
        await Accounts.MeAsync(browser);

        var antiforgery = (await (await browser.GetAsync("/api/auth/antiforgery", CancellationToken)).ReadDataAsync(HttpStatusCode.OK)).GetProperty("data");
        var field = antiforgery.GetProperty("formFieldName").GetString()!;
        var token = antiforgery.GetProperty("requestToken").GetString()!;

        var signOut = await browser.PostAsync("/account/logout", Form((field, token), ("returnUrl", "/account")), CancellationToken);

        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
        Assert.Equal("/account", signOut.Headers.Location?.OriginalString);
        Assert.True(SetsCookie(signOut, TokenCookies.AccessToken));
        Assert.True(SetsCookie(signOut, TokenCookies.RefreshToken));
        await (await browser.GetAsync("/api/auth/me", CancellationToken)).ReadProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task The_sign_out_form_never_redirects_off_site()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var browser = api.CreateNonRedirectingClient();
        var antiforgery = (await (await browser.GetAsync("/api/auth/antiforgery", CancellationToken)).ReadDataAsync(HttpStatusCode.OK)).GetProperty("data");

        var signOut = await browser.PostAsync(
            "/account/logout",
            Form((antiforgery.GetProperty("formFieldName").GetString()!, antiforgery.GetProperty("requestToken").GetString()!), ("returnUrl", "//evil.example/phish")),
            CancellationToken);

        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
        Assert.Equal("/", signOut.Headers.Location?.OriginalString);
    }

    [Theory]
    [InlineData("https://app.example.com", true)]
    [InlineData("https://evil.example.net", false)]
    [InlineData("https://app.example.com.evil.example.net", false)]
    public async Task Only_the_configured_origin_may_call_the_auth_endpoints_from_a_browser(string origin, bool allowed)
    {
        await using var api = await ApiFactory.StartAsync(environment, settings: new Dictionary<string, string?>
        {
            ["Api:CorsOrigins:0"] = "https://app.example.com",
        });
        using var client = api.CreateAnonymousClient();
        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/api/auth/login");
        preflight.Headers.Add("Origin", origin);
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        preflight.Headers.Add("Access-Control-Request-Headers", "content-type");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/.well-known/jwks.json");
        request.Headers.Add("Origin", origin);

        var preflightResponse = await client.SendAsync(preflight, CancellationToken);
        var response = await client.SendAsync(request, CancellationToken);

        foreach (var answer in new[] { preflightResponse, response })
        {
            var hasOrigin = answer.Headers.TryGetValues("Access-Control-Allow-Origin", out var origins);
            Assert.Equal(allowed, hasOrigin);
            if (allowed)
            {
                // Credentials (the token cookies) are allowed, so the origin is echoed exactly, never "*".
                Assert.Equal(origin, Assert.Single(origins!));
                Assert.Equal("true", Assert.Single(answer.Headers.GetValues("Access-Control-Allow-Credentials")));
            }
        }
    }

    /// <summary>
    /// A client for a public host name: browsers (and the header middleware) ignore HSTS for localhost, so the test
    /// talks to the app as deployed.
    /// </summary>
    private static HttpClient CreateClient(ApiFactory api, string baseAddress)
    {
        var client = api.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri(baseAddress) });
        client.DefaultRequestHeaders.Authorization = null;
        return client;
    }

    private static FormUrlEncodedContent Form(params (string Name, string Value)[] fields) =>
        new(fields.Select(field => KeyValuePair.Create(field.Name, field.Value)));

    private static bool SetsCookie(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(cookie => cookie.StartsWith($"{name}=", StringComparison.Ordinal));

    private static string Header(HttpResponseMessage response, string name)
    {
        Assert.True(response.Headers.TryGetValues(name, out var values), $"The response has no {name} header.");
        return string.Join(", ", values);
    }
}
