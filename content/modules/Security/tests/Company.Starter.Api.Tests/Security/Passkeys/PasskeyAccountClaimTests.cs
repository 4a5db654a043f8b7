using System.Net;
using Company.Starter.Testing;

namespace Company.Starter.Api.Tests.Security.Passkeys;

/// <summary>
/// Someone signs up with a passkey under an email that is not theirs, before its owner arrives. The owner takes the
/// account by resetting its password through the email, and the other person's passkey and sign-in stop working.
/// </summary>
public sealed class PasskeyAccountClaimTests(TestEnvironment environment)
{
    private const string Email = "claimed@example.test";
    private const string OwnersPassword = "the owner's own long password";

    private static CancellationToken CancellationToken => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_emails_owner_resets_the_password_and_the_passkey_someone_else_signed_up_with_stops_working()
    {
        await using var inbox = new SmtpInbox();
        await using var api = await ApiFactory.StartAsync(environment, settings: inbox.Settings);
        using var squatter = new PasskeyApiClient(api);
        await squatter.SignUpAsync(Email);
        await squatter.SignInAsync();

        using var owner = api.CreateAnonymousClient(handleCookies: false);
        await Accounts.ResetPasswordThroughEmailAsync(owner, inbox, Email, OwnersPassword);

        using var later = new PasskeyApiClient(api.CreateAnonymousClient(), squatter.Authenticator);
        await PasskeyApiClient.AssertRefusedAsync(
            await later.LoginAsync(squatter.Authenticator.Get(await later.RequestOptionsAsync())), "sign-in with the squatter's passkey after the owner's reset");
        // The squatter's sign-in (its refresh token cookie) ended with the reset.
        var refresh = await squatter.Http.PostAsync("/api/auth/refresh", content: null, CancellationToken);
        await refresh.ReadProblemAsync(HttpStatusCode.Unauthorized, "invalid_refresh_token");
        await Accounts.LoginAsync(owner, Email, OwnersPassword);
    }
}
