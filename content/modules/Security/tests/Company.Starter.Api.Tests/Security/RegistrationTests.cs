using System.Net;
using Company.Starter.Api.Security.Tokens;
using Company.Starter.Data.Security;
using Company.Starter.Testing;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace Company.Starter.Api.Tests.Security;

/// <summary>
/// Registration with a password: the answer does not tell whether the email was taken, a new account signs in with its
/// password only once its email is confirmed, and whoever registered an email before its owner loses the account
/// when the owner resets its password.
/// </summary>
public sealed class RegistrationTests(TestEnvironment environment)
{
    private const string Email = "newcomer@example.test";
    private const string OwnersPassword = "the owner's own long password";

    [Fact]
    public async Task A_new_and_a_taken_email_get_the_same_answer_and_each_owner_an_email()
    {
        await using var inbox = new SmtpInbox();
        await using var api = await ApiFactory.StartAsync(environment, settings: inbox.Settings);
        using var client = api.CreateAnonymousClient(handleCookies: false);

        var first = await Accounts.PostRegisterAsync(client, Email);
        var again = await Accounts.PostRegisterAsync(client, Email, "somebody else's password");

        await Accounts.AssertRegistrationAcceptedAsync(first);
        await Accounts.AssertRegistrationAcceptedAsync(again);
        // Messages leave in the order they were asked for: the confirmation of the new account, then the notice.
        var confirmation = await inbox.NextAsync();
        Assert.Equal(Email, Assert.Single(confirmation.To.Mailboxes).Address);
        Assert.Equal("Confirm your email", confirmation.Subject);
        Accounts.CodeIn(confirmation);
        var notice = await inbox.NextAsync();
        Assert.Equal(Email, Assert.Single(notice.To.Mailboxes).Address);
        Assert.Equal("Someone tried to register your email", notice.Subject);
        Assert.DoesNotContain("Your code", notice.TextBody, StringComparison.Ordinal);
        // The second registration changed nothing: the first password is the account's.
        Assert.Equal(HttpStatusCode.NoContent, (await Accounts.PostConfirmEmailAsync(client, Email, Accounts.CodeIn(confirmation))).StatusCode);
        await (await Accounts.PostLoginAsync(client, Email, "somebody else's password")).ReadProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");
        await Accounts.LoginAsync(client, Email);
    }

    [Fact]
    public async Task A_new_account_signs_in_with_its_password_only_once_the_email_is_confirmed()
    {
        await using var inbox = new SmtpInbox();
        await using var api = await ApiFactory.StartAsync(environment, settings: inbox.Settings);
        using var client = api.CreateAnonymousClient(handleCookies: false);
        await Accounts.AssertRegistrationAcceptedAsync(await Accounts.PostRegisterAsync(client, Email));
        var code = Accounts.CodeIn(await inbox.NextAsync());

        // Unconfirmed, the right password gets the answer an unknown email gets.
        var unknown = await (await Accounts.PostLoginAsync(client, "nobody@example.test")).ReadProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");
        var unconfirmed = await (await Accounts.PostLoginAsync(client, Email)).ReadProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");
        Assert.Equal(PasswordTests.Comparable(unknown), PasswordTests.Comparable(unconfirmed));

        await (await Accounts.PostConfirmEmailAsync(client, Email, "not the code")).ReadValidationProblemAsync("code");
        await (await Accounts.PostConfirmEmailAsync(client, "nobody@example.test", code)).ReadValidationProblemAsync("code");
        await (await Accounts.PostLoginAsync(client, Email)).ReadProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");

        Assert.Equal(HttpStatusCode.NoContent, (await Accounts.PostConfirmEmailAsync(client, Email, code)).StatusCode);
        await Accounts.LoginAsync(client, Email);
    }

    [Fact]
    public async Task Without_an_email_server_a_new_account_waits_for_an_operator_to_confirm_it()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var client = api.CreateAnonymousClient(handleCookies: false);

        await Accounts.AssertRegistrationAcceptedAsync(await Accounts.PostRegisterAsync(client, Email));
        await (await Accounts.PostLoginAsync(client, Email)).ReadProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");

        await Accounts.ConfirmEmailAsync(api, Email);
        await Accounts.LoginAsync(client, Email);
    }

    [Fact]
    public async Task The_owners_reset_of_an_unconfirmed_account_removes_every_way_in_that_someone_else_added()
    {
        await using var inbox = new SmtpInbox();
        await using var api = await ApiFactory.StartAsync(environment, settings: inbox.Settings);
        using var client = api.CreateAnonymousClient(handleCookies: false);
        // Someone registers the email first, and never confirms it (the code went to the owner's inbox).
        await Accounts.AssertRegistrationAcceptedAsync(await Accounts.PostRegisterAsync(client, Email));
        await inbox.NextAsync();
        var squatters = await AddOtherCredentialsAsync(api, Email);

        await Accounts.ResetPasswordThroughEmailAsync(client, inbox, Email, OwnersPassword);

        var (passkeys, logins, confirmed) = await CredentialsAsync(api, Email);
        Assert.Empty(passkeys);
        Assert.Empty(logins);
        Assert.True(confirmed);
        await (await Accounts.RefreshAsync(client, squatters.RefreshToken)).ReadProblemAsync(HttpStatusCode.Unauthorized, "invalid_refresh_token");
        await (await Accounts.PostLoginAsync(client, Email)).ReadProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");
        await Accounts.LoginAsync(client, Email, OwnersPassword);
    }

    [Fact]
    public async Task A_reset_of_a_confirmed_account_keeps_its_passkeys_and_external_logins()
    {
        await using var inbox = new SmtpInbox();
        await using var api = await ApiFactory.StartAsync(environment, settings: inbox.Settings);
        using var client = api.CreateAnonymousClient(handleCookies: false);
        await Accounts.RegisterAsync(api, client, Email, inbox: inbox);
        await AddOtherCredentialsAsync(api, Email);

        await Accounts.ResetPasswordThroughEmailAsync(client, inbox, Email, OwnersPassword);

        var (passkeys, logins, confirmed) = await CredentialsAsync(api, Email);
        Assert.Single(passkeys);
        Assert.Single(logins);
        Assert.True(confirmed);
        await Accounts.LoginAsync(client, Email, OwnersPassword);
    }

    /// <summary>
    /// A passkey and an external login on the account, made in the store (this test runs without passkeys too; the
    /// passkey tests claim an account signed up with a real one), and a sign-in of it.
    /// </summary>
    private static async Task<TokenPair> AddOtherCredentialsAsync(ApiFactory api, string email)
    {
        await using var scope = api.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        var user = await users.FindByEmailAsync(email);
        Assert.NotNull(user);
        var passkey = new UserPasskeyInfo(
            credentialId: [1, 2, 3, 4, 5, 6, 7, 8],
            publicKey: [9, 10, 11],
            createdAt: DateTimeOffset.UtcNow,
            signCount: 0,
            transports: ["internal"],
            isUserVerified: true,
            isBackupEligible: true,
            isBackedUp: true,
            attestationObject: [12],
            clientDataJson: [13]);
        Assert.True((await users.AddOrUpdatePasskeyAsync(user, passkey)).Succeeded);
        Assert.True((await users.AddLoginAsync(user, new UserLoginInfo("oidc", $"subject-of-{email}", "oidc"))).Succeeded);
        return await scope.ServiceProvider.GetRequiredService<TokenIssuer>().SignInAsync(user, "passkey", TestContext.Current.CancellationToken);
    }

    private static async Task<(IList<UserPasskeyInfo> Passkeys, IList<UserLoginInfo> Logins, bool Confirmed)> CredentialsAsync(ApiFactory api, string email)
    {
        await using var scope = api.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        var user = await users.FindByEmailAsync(email);
        Assert.NotNull(user);
        return (await users.GetPasskeysAsync(user), await users.GetLoginsAsync(user), user.EmailConfirmed);
    }
}
