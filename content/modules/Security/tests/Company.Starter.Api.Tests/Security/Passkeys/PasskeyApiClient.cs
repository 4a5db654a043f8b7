using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Company.Starter.Api.Tests.Security.Passkeys;

/// <summary>
/// A browser as the passkey endpoints see it: one cookie jar (the ceremony state and the token cookies), an Origin
/// header on every request, and a <see cref="SoftwareAuthenticator"/> answering the options.
/// </summary>
internal sealed class PasskeyApiClient : IDisposable
{
    public const string Passkeys = "/api/auth/passkeys";

    public PasskeyApiClient(HttpClient http, SoftwareAuthenticator authenticator)
    {
        Http = http;
        Authenticator = authenticator;
        Http.DefaultRequestHeaders.Add("Origin", authenticator.Origin);
    }

    public PasskeyApiClient(ApiFactory api, string origin = "https://localhost")
        : this(api.CreateAnonymousClient(), new SoftwareAuthenticator(origin))
    {
    }

    public HttpClient Http { get; }

    public SoftwareAuthenticator Authenticator { get; }

    private static CancellationToken CancellationToken => TestContext.Current.CancellationToken;

    /// <summary>POST /creation-options; asserts a 200 and returns the options JSON.</summary>
    public async Task<string> CreationOptionsAsync(string? email)
    {
        var response = await Http.PostAsJsonAsync($"{Passkeys}/creation-options", email is null ? new { } : (object)new { email }, CancellationToken);
        var body = await response.Content.ReadAsStringAsync(CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"creation-options: {(int)response.StatusCode} {body}");
        return body;
    }

    /// <summary>POST /request-options; asserts a 200 and returns the options JSON.</summary>
    public async Task<string> RequestOptionsAsync(string? email = null)
    {
        var response = await Http.PostAsJsonAsync($"{Passkeys}/request-options", email is null ? new { } : (object)new { email }, CancellationToken);
        var body = await response.Content.ReadAsStringAsync(CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"request-options: {(int)response.StatusCode} {body}");
        return body;
    }

    public Task<HttpResponseMessage> RegisterAsync(string credentialJson) => PostAsync($"{Passkeys}/register", credentialJson);

    public Task<HttpResponseMessage> LoginAsync(string credentialJson) => PostAsync($"{Passkeys}/login?useCookies=true", credentialJson);

    public Task<HttpResponseMessage> PostAsync(string path, string body, string mediaType = "application/json") =>
        Http.PostAsync(path, new StringContent(body, Encoding.UTF8, mediaType), CancellationToken);

    /// <summary>Creates an account with a new passkey, as the sign-up form does; returns the stored passkey.</summary>
    public async Task<JsonElement> SignUpAsync(string email)
    {
        var options = await CreationOptionsAsync(email);
        var response = await RegisterAsync(Authenticator.Create(options));
        AssertSetsTokenCookies(response);
        return (await response.ReadDataAsync(HttpStatusCode.Created)).GetProperty("data");
    }

    /// <summary>Adds a passkey to the signed-in account; returns it.</summary>
    public async Task<JsonElement> AddPasskeyAsync()
    {
        var response = await RegisterAsync(Authenticator.Create(await CreationOptionsAsync(email: null)));
        return (await response.ReadDataAsync(HttpStatusCode.Created)).GetProperty("data");
    }

    /// <summary>Signs in without a username (no email in the options), as the sign-in button does; returns the assertion sent.</summary>
    public async Task<string> SignInAsync(SoftwareAuthenticator.StoredCredential? credential = null)
    {
        var assertion = Authenticator.Get(await RequestOptionsAsync(), credential);
        var response = await LoginAsync(assertion);
        AssertSetsTokenCookies(response);
        var tokens = (await response.ReadDataAsync(HttpStatusCode.OK)).GetProperty("data");
        Assert.Equal(JsonValueKind.Null, tokens.GetProperty("accessToken").ValueKind);
        return assertion;
    }

    /// <summary>GET /api/auth/me: the signed-in user, or null on a 401.</summary>
    public async Task<JsonElement?> MeAsync()
    {
        var response = await Http.GetAsync("/api/auth/me", CancellationToken);
        if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            return null;
        }

        return (await response.ReadDataAsync(HttpStatusCode.OK)).GetProperty("data");
    }

    public async Task<JsonElement> ListAsync() =>
        (await (await Http.GetAsync($"{Passkeys}/", CancellationToken)).ReadDataAsync(HttpStatusCode.OK)).GetProperty("data");

    public Task<HttpResponseMessage> RenameAsync(string id, string name) =>
        Http.PutAsJsonAsync($"{Passkeys}/{Uri.EscapeDataString(id)}", new { name }, CancellationToken);

    public Task<HttpResponseMessage> RemoveAsync(string id) =>
        Http.DeleteAsync($"{Passkeys}/{Uri.EscapeDataString(id)}", CancellationToken);

    /// <summary>A refused ceremony: a 400 <c>passkey_failed</c> problem that issues no tokens.</summary>
    public static async Task<JsonElement> AssertRefusedAsync(HttpResponseMessage response, string because)
    {
        Assert.False(IssuesTokens(response), $"{because}: the refused answer still set token cookies.");
        var body = await response.Content.ReadAsStringAsync(CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{because}: expected 400, got {(int)response.StatusCode}: {body}");
        return await response.ReadProblemAsync(HttpStatusCode.BadRequest, "passkey_failed");
    }

    public static void AssertSetsTokenCookies(HttpResponseMessage response)
    {
        var cookies = SetCookies(response);
        Assert.Contains(cookies, cookie => cookie.StartsWith("__Host-access_token=", StringComparison.Ordinal)
            && cookie.Contains("httponly", StringComparison.OrdinalIgnoreCase) && cookie.Contains("secure", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(cookies, cookie => cookie.StartsWith("__Secure-refresh_token=", StringComparison.Ordinal)
            && cookie.Contains("path=/api/auth", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Whether the response sets a non-empty access or refresh token cookie.</summary>
    public static bool IssuesTokens(HttpResponseMessage response) => SetCookies(response).Any(cookie =>
        (cookie.StartsWith("__Host-access_token=", StringComparison.Ordinal) && !cookie.StartsWith("__Host-access_token=;", StringComparison.Ordinal))
        || (cookie.StartsWith("__Secure-refresh_token=", StringComparison.Ordinal) && !cookie.StartsWith("__Secure-refresh_token=;", StringComparison.Ordinal)));

    private static List<string> SetCookies(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Set-Cookie", out var values) ? [.. values] : [];

    public void Dispose() => Http.Dispose();
}
