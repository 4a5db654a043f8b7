using System.Net;
using System.Text.RegularExpressions;
using Company.Starter.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MimeKit;
using OpenTelemetry.Logs;

namespace Company.Starter.Api.Tests.Security;

/// <summary>
/// A forgotten password is reset with a code emailed through a real SMTP server: once, only for the code's account,
/// without telling anyone which emails have accounts, and ending every sign-in of the account.
/// </summary>
public sealed partial class PasswordResetTests(TestEnvironment environment)
{
    private const string Email = "forgetful@example.test";
    private const string NewPassword = "remembered at last, this time";

    private static CancellationToken CancellationToken => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_emailed_code_resets_the_password_once_and_ends_every_sign_in()
    {
        await using var inbox = new SmtpInbox();
        await using var api = await ApiFactory.StartAsync(environment, settings: inbox.Settings);
        using var client = api.CreateAnonymousClient(handleCookies: false);
        await Accounts.RegisterAsync(api, client, Email, inbox: inbox);
        var signIn = await Accounts.LoginAsync(client, Email);

        Assert.Equal(HttpStatusCode.Accepted, (await ForgotAsync(client, Email)).StatusCode);
        var message = await inbox.NextAsync();
        Assert.Equal(Email, Assert.Single(message.To.Mailboxes).Address);
        Assert.Equal(SmtpInbox.From, Assert.Single(message.From.Mailboxes).Address);
        Assert.Contains((SmtpInbox.UserName, true), inbox.SignIns);
        var code = CodeIn(message);

        Assert.Equal(HttpStatusCode.NoContent, (await ResetAsync(client, Email, code, NewPassword)).StatusCode);

        await (await Accounts.PostLoginAsync(client, Email, Accounts.Password)).ReadProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");
        await Accounts.LoginAsync(client, Email, NewPassword);
        await (await Accounts.RefreshAsync(client, signIn.RefreshToken)).ReadProblemAsync(HttpStatusCode.Unauthorized, "invalid_refresh_token");
        // The code worked once.
        await AssertWrongCodeAsync(await ResetAsync(client, Email, code, "yet another new password, unused"));
        await Accounts.LoginAsync(client, Email, NewPassword);
    }

    [Fact]
    public async Task An_unknown_email_gets_the_same_answer_and_no_email()
    {
        await using var inbox = new SmtpInbox();
        await using var api = await ApiFactory.StartAsync(environment, settings: inbox.Settings);
        using var client = api.CreateAnonymousClient(handleCookies: false);
        await Accounts.RegisterAsync(api, client, Email, inbox: inbox);

        using var unknown = await ForgotAsync(client, "nobody@example.test");
        using var known = await ForgotAsync(client, Email);

        Assert.Equal(HttpStatusCode.Accepted, unknown.StatusCode);
        Assert.Equal(known.StatusCode, unknown.StatusCode);
        Assert.Equal(await known.Content.ReadAsStringAsync(CancellationToken), await unknown.Content.ReadAsStringAsync(CancellationToken));
        // Messages leave in the order they were asked for: the first to arrive is the account's, so the unknown email
        // produced none.
        Assert.Equal(Email, Assert.Single((await inbox.NextAsync()).To.Mailboxes).Address);
    }

    [Fact]
    public async Task A_wrong_code_another_accounts_code_or_a_weak_password_changes_nothing()
    {
        await using var inbox = new SmtpInbox();
        await using var api = await ApiFactory.StartAsync(environment, settings: inbox.Settings);
        using var client = api.CreateAnonymousClient(handleCookies: false);
        await Accounts.RegisterAsync(api, client, Email, inbox: inbox);
        await Accounts.RegisterAsync(api, client, "neighbour@example.test", inbox: inbox);
        await ForgotAsync(client, "neighbour@example.test");
        var neighboursCode = CodeIn(await inbox.NextAsync());
        await ForgotAsync(client, Email);
        var code = CodeIn(await inbox.NextAsync());

        await AssertWrongCodeAsync(await ResetAsync(client, Email, "not a code at all!", NewPassword));
        await AssertWrongCodeAsync(await ResetAsync(client, Email, neighboursCode, NewPassword));
        await AssertWrongCodeAsync(await ResetAsync(client, "nobody@example.test", code, NewPassword));
        await (await ResetAsync(client, Email, code, "short")).ReadValidationProblemAsync("newPassword");

        await Accounts.LoginAsync(client, Email); // still the old password
        // A refused attempt does not spend the code.
        Assert.Equal(HttpStatusCode.NoContent, (await ResetAsync(client, Email, code, NewPassword)).StatusCode);
        await Accounts.LoginAsync(client, Email, NewPassword);
    }

    [Fact]
    public async Task A_reset_unlocks_an_account_locked_by_failed_sign_ins()
    {
        await using var inbox = new SmtpInbox();
        await using var api = await ApiFactory.StartAsync(environment, settings: inbox.Settings);
        using var client = api.CreateAnonymousClient(handleCookies: false);
        await Accounts.RegisterAsync(api, client, Email, inbox: inbox);
        for (var attempt = 0; attempt < 5; attempt++)
        {
            using var _ = await Accounts.PostLoginAsync(client, Email, $"somebody's guess number {attempt}");
        }

        // Locked: even the right password is refused (with the answer a wrong one gets).
        await (await Accounts.PostLoginAsync(client, Email)).ReadProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");

        await ForgotAsync(client, Email);
        Assert.Equal(HttpStatusCode.NoContent, (await ResetAsync(client, Email, CodeIn(await inbox.NextAsync()), NewPassword)).StatusCode);
        await Accounts.LoginAsync(client, Email, NewPassword);
    }

    [Fact]
    public async Task Without_an_email_server_password_reset_says_it_is_unavailable()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var client = api.CreateAnonymousClient(handleCookies: false);

        await (await ForgotAsync(client, Email)).ReadProblemAsync(HttpStatusCode.ServiceUnavailable, "email_unavailable");
    }

    [Fact]
    public async Task In_development_without_an_smtp_server_the_code_is_logged_and_works()
    {
        var logs = new List<LogRecord>();
        await using var api = await ApiFactory.StartAsync(
            environment,
            services => services.AddLogging(logging => logging.AddOpenTelemetry(otel =>
            {
                otel.IncludeFormattedMessage = true;
                otel.AddInMemoryExporter(logs);
            })),
            new Dictionary<string, string?> { ["environment"] = "Development" });
        using var client = api.CreateAnonymousClient(handleCookies: false);
        await Accounts.RegisterAsync(api, client, Email);

        Assert.Equal(HttpStatusCode.Accepted, (await ForgotAsync(client, Email)).StatusCode);

        // The message was logged before the answer. ToArray copies without enumerating, so a log the app's
        // background work writes meanwhile cannot break the read.
        var messages = logs.ToArray().Select(record => record.FormattedMessage);
        var logged = LoggedCode().Match(Assert.Single(messages, message => message?.Contains(Email, StringComparison.Ordinal) == true && LoggedCode().IsMatch(message))!);
        Assert.True(logged.Success);
        Assert.Equal(HttpStatusCode.NoContent, (await ResetAsync(client, Email, logged.Groups[1].Value, NewPassword)).StatusCode);
        await Accounts.LoginAsync(client, Email, NewPassword);
    }

    [Fact]
    public async Task An_smtp_server_without_a_sender_address_stops_the_app_with_the_reason()
    {
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => ApiFactory.StartAsync(
            environment, settings: new Dictionary<string, string?> { ["Email:SmtpHost"] = "127.0.0.1" }));

        Assert.Contains("Email:From must be an email address", failure.ToString(), StringComparison.Ordinal);
    }

    private static Task AssertWrongCodeAsync(HttpResponseMessage response) => response.ReadValidationProblemAsync("code");

    private static string CodeIn(MimeMessage message) => Accounts.CodeIn(message);

    [GeneratedRegex(@"password reset code (\S+)")]
    private static partial Regex LoggedCode();

    private static Task<HttpResponseMessage> ForgotAsync(HttpClient client, string email) => Accounts.ForgotPasswordAsync(client, email);

    private static Task<HttpResponseMessage> ResetAsync(HttpClient client, string email, string code, string newPassword) =>
        Accounts.ResetPasswordAsync(client, email, code, newPassword);
}
