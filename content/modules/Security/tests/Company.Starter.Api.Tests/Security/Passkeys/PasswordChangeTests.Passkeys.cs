using System.Net;
using Company.Starter.Api.Tests.Security.Passkeys;

namespace Company.Starter.Api.Tests.Security;

/// <summary>Password changes of accounts made with a passkey.</summary>
public sealed partial class PasswordChangeTests
{
    [Fact]
    public async Task An_account_without_a_password_is_told_so_and_gets_none()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var browser = new PasskeyApiClient(api);
        await browser.SignUpAsync(Email);

        var problem = await (await ChangeAsync(browser.Http, Accounts.Password, NewPassword)).ReadProblemAsync(HttpStatusCode.Conflict, "no_password");
        Assert.Contains("no password", problem.GetProperty("title").GetString(), StringComparison.Ordinal);

        // Nothing was set: the new password does not sign in, the passkey still does.
        using var client = api.CreateAnonymousClient(handleCookies: false);
        await (await Accounts.PostLoginAsync(client, Email, NewPassword)).ReadProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");
        await browser.SignInAsync();
    }
}
