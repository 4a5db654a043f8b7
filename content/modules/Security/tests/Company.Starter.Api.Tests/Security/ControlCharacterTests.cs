using System.Net;
using System.Net.Http.Json;
using Company.Starter.Testing;

namespace Company.Starter.Api.Tests.Security;

/// <summary>
/// A control character in what the auth endpoints take (a NUL, which PostgreSQL refuses in text; a line break, which
/// no header may carry) is the client's mistake: a 400 validation problem on the field, and no error in the log.
/// </summary>
public sealed partial class ControlCharacterTests(TestEnvironment environment)
{
    private static CancellationToken CancellationToken => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("\0")]
    [InlineData("\r\n")]
    [InlineData("\u001b")]
    [InlineData("\u0085")]
    public async Task An_email_with_a_control_character_is_a_validation_problem(string control)
    {
        var errors = new ErrorLog();
        await using var api = await ApiFactory.StartAsync(environment, errors.Register);
        var startup = errors.Entries.Count;
        using var client = api.CreateAnonymousClient(handleCookies: false);
        var email = $"someone{control}@example.test";

        List<(string Path, object Body)> requests =
        [
            ("/api/auth/register", new { email, password = Accounts.Password }),
            ("/api/auth/login", new { email, password = Accounts.Password }),
            ("/api/auth/password/forgot", new { email }),
            ("/api/auth/password/reset", new { email, code = "Y29kZQ", newPassword = Accounts.Password }),
            ("/api/auth/email/confirm", new { email, code = "Y29kZQ" }),
        ];
        AddPasskeyRequests(requests, email);
        foreach (var (path, body) in requests)
        {
            await AssertValidationProblemAsync(await client.PostAsJsonAsync(path, body, CancellationToken), "email", path);
        }

        AssertNoErrorSince(errors, startup);
    }

    [Theory]
    [InlineData("/account\r\nSet-Cookie: stolen=1")]
    [InlineData("/account\u007f")]
    [InlineData("/acc\u0007ount")]
    public async Task A_sign_out_return_url_with_a_control_character_is_a_validation_problem(string returnUrl)
    {
        var errors = new ErrorLog();
        await using var api = await ApiFactory.StartAsync(environment, errors.Register);
        var startup = errors.Entries.Count;
        using var browser = api.CreateNonRedirectingClient();
        var antiforgery = (await (await browser.GetAsync("/api/auth/antiforgery", CancellationToken)).ReadDataAsync(HttpStatusCode.OK)).GetProperty("data");
        var form = new FormUrlEncodedContent(
        [
            KeyValuePair.Create(antiforgery.GetProperty("formFieldName").GetString()!, antiforgery.GetProperty("requestToken").GetString()!),
            KeyValuePair.Create("returnUrl", returnUrl),
        ]);

        var signOut = await browser.PostAsync("/account/logout", form, CancellationToken);

        await AssertValidationProblemAsync(signOut, "returnUrl", "/account/logout");
        Assert.Null(signOut.Headers.Location);
        AssertNoErrorSince(errors, startup);
    }

    private static async Task AssertValidationProblemAsync(HttpResponseMessage response, string field, string path)
    {
        var body = await response.Content.ReadAsStringAsync(CancellationToken);
        Assert.True(
            response.StatusCode == HttpStatusCode.BadRequest && body.Contains("\"validation_failed\"", StringComparison.Ordinal),
            $"{path}: {(int)response.StatusCode} {body}");
        await response.ReadValidationProblemAsync(field);
    }

    /// <summary>
    /// No error logged by the requests. The errors of the start are not these tests' concern: the test app reads its key
    /// ring before the test migrates its new database.
    /// </summary>
    private static void AssertNoErrorSince(ErrorLog errors, int startup) =>
        Assert.True(errors.Entries.Count == startup, "Errors were logged:\n" + string.Join("\n", errors.Entries.Skip(startup)));

    /// <summary>The passkey endpoints that take an email, where the solution has passkeys.</summary>
    static partial void AddPasskeyRequests(List<(string Path, object Body)> requests, string email);
}
