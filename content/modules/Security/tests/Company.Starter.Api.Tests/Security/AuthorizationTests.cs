using System.Net;
using Company.Starter.Testing;

namespace Company.Starter.Api.Tests.Security;

/// <summary>
/// Who may change the catalogue: reads are public, any signed-in user may add a product, only its owner (or an admin)
/// may change it, only admins may delete. And who the API thinks the caller is.
/// </summary>
public sealed partial class AuthorizationTests(TestEnvironment environment)
{
    private static CancellationToken CancellationToken => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Me_reports_the_user_the_token_was_issued_to()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var anonymous = api.CreateAnonymousClient(handleCookies: false);
        var id = await Accounts.RegisterAsync(api, anonymous, "me@example.test");
        using var user = api.CreateBearerClient((await Accounts.LoginAsync(anonymous, "me@example.test")).AccessToken);
        using var admin = api.CreateClient();

        var me = await Accounts.MeAsync(user);
        var adminMe = await Accounts.MeAsync(admin);

        Assert.Equal(id, me.GetProperty("id").GetString());
        Assert.Equal("me@example.test", me.GetProperty("email").GetString());
        Assert.Empty(me.GetProperty("roles").EnumerateArray());
        Assert.Equal(ApiFactory.AdminUserId, adminMe.GetProperty("id").GetString());
        Assert.Equal(["admin"], adminMe.GetProperty("roles").EnumerateArray().Select(role => role.GetString()));
        Assert.Equal("test", adminMe.GetProperty("authenticationMethod").GetString());
        await (await anonymous.GetAsync("/api/auth/me", CancellationToken)).ReadProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
    }
}
