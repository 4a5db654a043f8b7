using System.Net;
using Company.Starter.Api.Http.Access;
using Company.Starter.Api.Security.Authorization;
using Company.Starter.Testing;
using Microsoft.Extensions.DependencyInjection;

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

    [Fact]
    public async Task The_security_module_decides_the_access_every_endpoint_declares()
    {
        // The API registers an open default that the security module must replace: if it did not, every endpoint that
        // declares an access level would silently be open to anyone.
        await using var api = await ApiFactory.StartAsync(environment);

        Assert.IsType<PolicyAccess>(api.Services.GetRequiredService<IEndpointAccess>());
        Assert.IsType<PolicyAccess>(api.Services.GetRequiredService<IProductAccess>());
    }
}
