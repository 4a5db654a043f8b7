using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Company.Starter.Data.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace Company.Starter.Api.Tests.Security;

/// <summary>Accounts and sign-ins through the public auth endpoints, as a client makes them.</summary>
internal static partial class Accounts
{
    /// <summary>Long enough for the default policy (12 characters), no composition rules.</summary>
    public const string Password = "correct horse battery staple";

    private static CancellationToken CancellationToken => TestContext.Current.CancellationToken;

    /// <summary>
    /// Registers an account, confirms its email, and returns its user id. An app that sends its email to
    /// <paramref name="inbox"/> is confirmed with the emailed code, as its owner would; the others send none (unless in
    /// Development), so the test confirms it in the store, as an operator's <c>users confirm-email</c> does.
    /// </summary>
    public static async Task<string> RegisterAsync(ApiFactory api, HttpClient client, string email, string password = Password, SmtpInbox? inbox = null)
    {
        await AssertRegistrationAcceptedAsync(await PostRegisterAsync(client, email, password));
        if (inbox is null)
        {
            return await ConfirmEmailAsync(api, email);
        }

        var message = await inbox.NextAsync();
        Assert.Equal(email, Assert.Single(message.To.Mailboxes).Address);
        Assert.Equal(HttpStatusCode.NoContent, (await PostConfirmEmailAsync(client, email, CodeIn(message))).StatusCode);
        await using var scope = api.Services.CreateAsyncScope();
        var user = await scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>().FindByEmailAsync(email);
        Assert.NotNull(user);
        Assert.True(user.EmailConfirmed, $"{email} is not confirmed.");
        return user.Id;
    }

    public static Task<HttpResponseMessage> PostRegisterAsync(HttpClient client, string email, string password = Password) =>
        client.PostAsJsonAsync("/api/auth/register", new { email, password }, CancellationToken);

    /// <summary>The one answer registration gives for a new email and a taken one alike: 202 and no body.</summary>
    public static async Task AssertRegistrationAcceptedAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync(CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"Expected 202, got {(int)response.StatusCode}: {body}");
        Assert.Empty(body);
    }

    /// <summary>Marks the account's email confirmed in the store and returns the user id.</summary>
    public static async Task<string> ConfirmEmailAsync(ApiFactory api, string email)
    {
        await using var scope = api.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        var user = await users.FindByEmailAsync(email);
        Assert.NotNull(user);
        user.EmailConfirmed = true;
        var updated = await users.UpdateAsync(user);
        Assert.True(updated.Succeeded, string.Join("; ", updated.Errors.Select(error => error.Description)));
        return user.Id;
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
        var user = new AppUser { UserName = email, Email = email, EmailConfirmed = true, PasswordHash = passwordHash, CreatedAt = DateTime.UtcNow };
        var created = await users.CreateAsync(user);
        Assert.True(created.Succeeded, string.Join("; ", created.Errors.Select(error => error.Description)));
        return user.Id;
    }

    public static Task<HttpResponseMessage> ForgotPasswordAsync(HttpClient client, string email) =>
        client.PostAsJsonAsync("/api/auth/password/forgot", new { email }, CancellationToken);

    public static Task<HttpResponseMessage> ResetPasswordAsync(HttpClient client, string email, string code, string newPassword) =>
        client.PostAsJsonAsync("/api/auth/password/reset", new { email, code, newPassword }, CancellationToken);

    public static Task<HttpResponseMessage> PostConfirmEmailAsync(HttpClient client, string email, string code) =>
        client.PostAsJsonAsync("/api/auth/email/confirm", new { email, code }, CancellationToken);

    /// <summary>The code in an account email (a password reset or an email confirmation).</summary>
    public static string CodeIn(MimeMessage message)
    {
        var match = CodeLine().Match(message.TextBody ?? string.Empty);
        Assert.True(match.Success, $"No code in the email: {message.TextBody}");
        return match.Groups[1].Value;
    }

    /// <summary>Resets the password with the code the app emails to <paramref name="inbox"/>, as the email's owner.</summary>
    public static async Task ResetPasswordThroughEmailAsync(HttpClient client, SmtpInbox inbox, string email, string newPassword)
    {
        Assert.Equal(HttpStatusCode.Accepted, (await ForgotPasswordAsync(client, email)).StatusCode);
        var message = await inbox.NextAsync();
        Assert.Equal(email, Assert.Single(message.To.Mailboxes).Address);
        Assert.Equal(HttpStatusCode.NoContent, (await ResetPasswordAsync(client, email, CodeIn(message), newPassword)).StatusCode);
    }

    /// <summary>The password hash the store holds for the user now.</summary>
    public static async Task<string?> StoredPasswordHashAsync(ApiFactory api, string email)
    {
        await using var scope = api.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        return (await users.FindByEmailAsync(email))?.PasswordHash;
    }

    [GeneratedRegex(@"Your code: (\S+)")]
    private static partial Regex CodeLine();
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
