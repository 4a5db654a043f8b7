using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Company.Starter.Testing;

namespace Company.Starter.Api.Tests.Security.Passkeys;

/// <summary>A user lists, names and removes their own passkeys; never another user's, and never the last way in.</summary>
public sealed class PasskeyManagementTests(TestEnvironment environment)
{
    private static CancellationToken CancellationToken => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Passkeys_are_listed_renamed_and_removed_but_not_the_last_one()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var browser = new PasskeyApiClient(api);
        var first = await browser.SignUpAsync("keys@example.test");
        var userId = (await browser.MeAsync())!.Value.GetProperty("id").GetString();

        // Signed in, the creation options are for this account, and the new passkey joins it (no second account).
        var second = await browser.AddPasskeyAsync();
        Assert.Equal(userId, (await browser.MeAsync())!.Value.GetProperty("id").GetString());
        var listed = await browser.ListAsync();
        Assert.Equal(
            new[] { first.GetProperty("id").GetString(), second.GetProperty("id").GetString() }.Order(),
            listed.EnumerateArray().Select(p => p.GetProperty("id").GetString()).Order());
        Assert.Equal(browser.Authenticator.Credentials.Select(c => c.IdBase64Url).Order(), listed.EnumerateArray().Select(p => p.GetProperty("id").GetString()).Order());

        var renamed = await browser.RenameAsync(second.GetProperty("id").GetString()!, "  Work laptop ");
        Assert.Equal("Work laptop", (await renamed.ReadDataAsync(HttpStatusCode.OK)).GetProperty("data").GetProperty("name").GetString());
        Assert.Equal("Work laptop", Find(await browser.ListAsync(), second).GetProperty("name").GetString());

        var removed = await browser.RemoveAsync(first.GetProperty("id").GetString()!);
        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        Assert.Equal(second.GetProperty("id").GetString(), Assert.Single((await browser.ListAsync()).EnumerateArray()).GetProperty("id").GetString());

        var last = await browser.RemoveAsync(second.GetProperty("id").GetString()!);
        await last.ReadProblemAsync(HttpStatusCode.Conflict, "last_credential");
        Assert.Single((await browser.ListAsync()).EnumerateArray());

        // The removed passkey no longer signs in; the remaining one does.
        using var later = new PasskeyApiClient(api.CreateAnonymousClient(), browser.Authenticator);
        var removedCredential = browser.Authenticator.Credentials.Single(c => c.IdBase64Url == first.GetProperty("id").GetString());
        await PasskeyApiClient.AssertRefusedAsync(
            await later.LoginAsync(browser.Authenticator.Get(await later.RequestOptionsAsync(), removedCredential)), "sign-in with a removed passkey");
        await later.SignInAsync(browser.Authenticator.Credentials.Single(c => c.IdBase64Url == second.GetProperty("id").GetString()));
        Assert.Equal(userId, (await later.MeAsync())!.Value.GetProperty("id").GetString());
    }

    [Fact]
    public async Task Another_users_passkey_is_a_404_and_stays_as_it_was()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var owner = new PasskeyApiClient(api);
        var passkey = await owner.SignUpAsync("owner@example.test");
        await owner.AddPasskeyAsync();
        var id = passkey.GetProperty("id").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await owner.RenameAsync(id, "Phone")).StatusCode);

        using var intruder = new PasskeyApiClient(api);
        await intruder.SignUpAsync("intruder@example.test");

        await (await intruder.RenameAsync(id, "Mine now")).ReadProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await intruder.RemoveAsync(id)).ReadProblemAsync(HttpStatusCode.NotFound, "not_found");
        Assert.DoesNotContain(id, (await intruder.ListAsync()).EnumerateArray().Select(p => p.GetProperty("id").GetString()));

        // Ids that are no passkey at all get the same answer.
        foreach (var unknown in new[] { SoftwareAuthenticator.Base64Url(new byte[32]), "not base64!", "a", new string('A', 2000) })
        {
            await (await intruder.RemoveAsync(unknown)).ReadProblemAsync(HttpStatusCode.NotFound, "not_found");
        }

        var owned = await owner.ListAsync();
        Assert.Equal(2, owned.GetArrayLength());
        Assert.Equal("Phone", Find(owned, passkey).GetProperty("name").GetString());
    }

    [Fact]
    public async Task Managing_passkeys_needs_a_signed_in_user()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var owner = new PasskeyApiClient(api);
        var id = (await owner.SignUpAsync("signed-in@example.test")).GetProperty("id").GetString()!;
        using var anonymous = new PasskeyApiClient(api);

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.Http.GetAsync($"{PasskeyApiClient.Passkeys}/", CancellationToken)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.RenameAsync(id, "x")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.RemoveAsync(id)).StatusCode);

        // Signed out, the creation options are for a new account, so they need its email.
        var options = await anonymous.Http.PostAsJsonAsync($"{PasskeyApiClient.Passkeys}/creation-options", new { }, CancellationToken);
        await options.ReadProblemAsync(HttpStatusCode.BadRequest, "validation_failed");

        Assert.Single((await owner.ListAsync()).EnumerateArray());
    }

    [Fact]
    public async Task A_passkey_name_is_validated()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var browser = new PasskeyApiClient(api);
        var id = (await browser.SignUpAsync("names@example.test")).GetProperty("id").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await browser.RenameAsync(id, "Laptop")).StatusCode);

        foreach (var name in new[] { "", new string('n', 101), "line\nbreak", "bell\u0007" })
        {
            var response = await browser.RenameAsync(id, name);
            var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
            Assert.True(problem.GetProperty("errors").TryGetProperty("name", out _), $"{JsonSerializer.Serialize(name)}: {problem}");
        }

        Assert.Equal("Laptop", Assert.Single((await browser.ListAsync()).EnumerateArray()).GetProperty("name").GetString());
    }

    private static JsonElement Find(JsonElement list, JsonElement passkey) =>
        list.EnumerateArray().Single(p => p.GetProperty("id").GetString() == passkey.GetProperty("id").GetString());
}
