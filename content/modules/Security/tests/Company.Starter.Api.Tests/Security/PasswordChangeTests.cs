using System.Net;
using System.Net.Http.Json;
using Company.Starter.Testing;

namespace Company.Starter.Api.Tests.Security;

/// <summary>
/// Changing a password needs the current one, ends every other sign-in of the account, and starts a new one; a wrong
/// current password counts toward the lockout like a failed sign-in.
/// </summary>
public sealed partial class PasswordChangeTests(TestEnvironment environment)
{
    private const string Email = "change@example.test";
    private const string NewPassword = "a different horse, same battery";

    private static CancellationToken CancellationToken => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_changed_password_replaces_the_old_one_and_ends_every_other_sign_in()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var client = api.CreateAnonymousClient(handleCookies: false);
        await Accounts.RegisterAsync(api, client, Email);
        var otherDevice = await Accounts.LoginAsync(client, Email);
        var current = await Accounts.LoginAsync(client, Email);
        using var signedIn = api.CreateBearerClient(current.AccessToken);

        var changed = IssuedTokens.From(await (await ChangeAsync(signedIn, Accounts.Password, NewPassword)).ReadDataAsync(HttpStatusCode.OK));

        await (await Accounts.PostLoginAsync(client, Email, Accounts.Password)).ReadProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");
        await Accounts.LoginAsync(client, Email, NewPassword);
        // Both earlier sign-ins are over; the one the change started works.
        await (await Accounts.RefreshAsync(client, otherDevice.RefreshToken)).ReadProblemAsync(HttpStatusCode.Unauthorized, "invalid_refresh_token");
        await (await Accounts.RefreshAsync(client, current.RefreshToken)).ReadProblemAsync(HttpStatusCode.Unauthorized, "invalid_refresh_token");
        await (await Accounts.RefreshAsync(client, changed.RefreshToken)).ReadDataAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_wrong_current_password_changes_nothing_and_counts_toward_the_lockout()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var client = api.CreateAnonymousClient(handleCookies: false);
        await Accounts.RegisterAsync(api, client, Email);
        var tokens = await Accounts.LoginAsync(client, Email);
        using var signedIn = api.CreateBearerClient(tokens.AccessToken);

        await (await ChangeAsync(signedIn, "not the password at all", NewPassword)).ReadValidationProblemAsync("currentPassword");
        await Accounts.LoginAsync(client, Email); // still the old password
        await (await Accounts.RefreshAsync(client, tokens.RefreshToken)).ReadDataAsync(HttpStatusCode.OK);

        // Five failures in a row (the default) lock the account, as five failed sign-ins would.
        HttpResponseMessage last = null!;
        for (var attempt = 0; attempt < 5; attempt++)
        {
            last = await ChangeAsync(signedIn, $"wrong guess number {attempt}", NewPassword);
        }

        await last.ReadProblemAsync(HttpStatusCode.Unauthorized, "account_locked");
        // A password sign-in of a locked account answers as an unknown email would.
        await (await Accounts.PostLoginAsync(client, Email)).ReadProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");
    }

    [Fact]
    public async Task A_weak_new_password_or_no_sign_in_is_refused()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var client = api.CreateAnonymousClient(handleCookies: false);
        await Accounts.RegisterAsync(api, client, Email);
        using var signedIn = api.CreateBearerClient((await Accounts.LoginAsync(client, Email)).AccessToken);

        await (await ChangeAsync(signedIn, Accounts.Password, "short")).ReadValidationProblemAsync("newPassword");
        await Accounts.LoginAsync(client, Email);

        await (await ChangeAsync(client, Accounts.Password, NewPassword)).ReadProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
    }

    private static Task<HttpResponseMessage> ChangeAsync(HttpClient client, string currentPassword, string newPassword) =>
        client.PostAsJsonAsync("/api/auth/password", new { currentPassword, newPassword }, CancellationToken);
}
