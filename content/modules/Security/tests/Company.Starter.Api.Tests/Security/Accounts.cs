using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Company.Starter.Data.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Company.Starter.Api.Tests.Security;

/// <summary>Accounts and sign-ins through the public auth endpoints, as a client makes them.</summary>
internal static class Accounts
{
    /// <summary>Long enough for the default policy (12 characters), no composition rules.</summary>
    public const string Password = "correct horse battery staple";

    private static CancellationToken CancellationToken => TestContext.Current.CancellationToken;

    /// <summary>Registers an account and returns its user id.</summary>
    public static async Task<string> RegisterAsync(HttpClient client, string email, string password = Password)
    {
        var response = await client.PostAsJsonAsync("/api/auth/register", new { email, password }, CancellationToken);
        var user = (await response.ReadDataAsync(HttpStatusCode.Created)).GetProperty("data");
        Assert.Equal(email, user.GetProperty("email").GetString());
        return user.GetProperty("id").GetString()!;
    }

    public static Task<HttpResponseMessage> PostLoginAsync(HttpClient client, string email, string password = Password, bool useCookies = false) =>
        client.PostAsJsonAsync(useCookies ? "/api/auth/login?useCookies=true" : "/api/auth/login", new { email, password }, CancellationToken);

    /// <summary>Signs in with a password and returns the token pair from the body (the API-client form).</summary>
    public static async Task<IssuedTokens> LoginAsync(HttpClient client, string email, string password = Password) =>
        IssuedTokens.From(await (await PostLoginAsync(client, email, password)).ReadDataAsync(HttpStatusCode.OK));

    public static Task<HttpResponseMessage> RefreshAsync(HttpClient client, string refreshToken) =>
        client.PostAsJsonAsync("/api/auth/refresh", new { refreshToken }, CancellationToken);

    /// <summary>A client with no cookies that sends <paramref name="accessToken"/> as its bearer token.</summary>
    public static HttpClient CreateBearerClient(this ApiFactory api, string accessToken)
    {
        var client = api.CreateAnonymousClient(handleCookies: false);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return client;
    }

    /// <summary>An https client without credentials that shows redirects instead of following them.</summary>
    public static HttpClient CreateNonRedirectingClient(this ApiFactory api)
    {
        var client = api.CreateClient(new WebApplicationFactoryClientOptions
        {
            BaseAddress = new Uri("https://localhost"),
            AllowAutoRedirect = false,
            HandleCookies = true,
        });
        client.DefaultRequestHeaders.Authorization = null;
        return client;
    }

    /// <summary>The signed-in user as <c>GET /api/auth/me</c> reports it.</summary>
    public static async Task<JsonElement> MeAsync(HttpClient client) =>
        (await (await client.GetAsync("/api/auth/me", CancellationToken)).ReadDataAsync(HttpStatusCode.OK)).GetProperty("data");

    /// <summary>Creates a user directly in the store, with a password hash made elsewhere (another hasher, older parameters).</summary>
    public static async Task<string> SeedUserAsync(ApiFactory api, string email, string passwordHash)
    {
        await using var scope = api.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        var user = new AppUser { UserName = email, Email = email, PasswordHash = passwordHash, CreatedAt = DateTime.UtcNow };
        var created = await users.CreateAsync(user);
        Assert.True(created.Succeeded, string.Join("; ", created.Errors.Select(error => error.Description)));
        return user.Id;
    }

    /// <summary>The password hash the store holds for the user now.</summary>
    public static async Task<string?> StoredPasswordHashAsync(ApiFactory api, string email)
    {
        await using var scope = api.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        return (await users.FindByEmailAsync(email))?.PasswordHash;
    }
}

/// <summary>The tokens of a sign-in as an API client receives them.</summary>
internal sealed record IssuedTokens(string AccessToken, string RefreshToken)
{
    public static IssuedTokens From(JsonElement body)
    {
        var data = body.GetProperty("data");
        Assert.Equal("Bearer", data.GetProperty("tokenType").GetString());
        Assert.True(data.GetProperty("expiresIn").GetInt32() > 0, data.ToString());
        return new IssuedTokens(data.GetProperty("accessToken").GetString()!, data.GetProperty("refreshToken").GetString()!);
    }
}
