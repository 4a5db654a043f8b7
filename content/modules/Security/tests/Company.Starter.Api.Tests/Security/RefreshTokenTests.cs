using System.Data.Common;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Company.Starter.Api.Security.Tokens;
using Company.Starter.Data.Security;
using Company.Starter.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Company.Starter.Api.Tests.Security;

/// <summary>
/// Refresh tokens: every use returns a new one and retires the old; a retired one presented again is taken for a
/// stolen copy and ends the whole sign-in; the database holds only hashes; browsers get them as strict cookies.
/// </summary>
public sealed class RefreshTokenTests(TestEnvironment environment)
{
    private const string Email = "refresh@example.test";

    private static CancellationToken CancellationToken => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_refresh_rotates_the_token_and_the_old_one_stops_working()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var client = api.CreateAnonymousClient(handleCookies: false);
        await Accounts.RegisterAsync(api, client, Email);
        var first = await Accounts.LoginAsync(client, Email);

        var second = IssuedTokens.From(await (await Accounts.RefreshAsync(client, first.RefreshToken)).ReadDataAsync(HttpStatusCode.OK));

        Assert.NotEqual(first.RefreshToken, second.RefreshToken);
        Assert.NotEqual(first.AccessToken, second.AccessToken);
        using (var refreshed = api.CreateBearerClient(second.AccessToken))
        {
            Assert.Equal(Email, (await Accounts.MeAsync(refreshed)).GetProperty("email").GetString());
        }

        // The successor keeps working as a normal token would, once.
        var third = IssuedTokens.From(await (await Accounts.RefreshAsync(client, second.RefreshToken)).ReadDataAsync(HttpStatusCode.OK));
        Assert.NotEqual(second.RefreshToken, third.RefreshToken);

        await (await Accounts.RefreshAsync(client, first.RefreshToken)).ReadProblemAsync(HttpStatusCode.Unauthorized, "refresh_token_reused");
    }

    [Fact]
    public async Task A_reused_refresh_token_is_a_401_and_revokes_its_whole_sign_in_but_no_other()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var client = api.CreateAnonymousClient(handleCookies: false);
        await Accounts.RegisterAsync(api, client, Email);
        var stolen = await Accounts.LoginAsync(client, Email);
        var otherDevice = await Accounts.LoginAsync(client, Email);
        // The legitimate client refreshes first; the thief then presents the copy it took.
        var successor = IssuedTokens.From(await (await Accounts.RefreshAsync(client, stolen.RefreshToken)).ReadDataAsync(HttpStatusCode.OK));

        var reuse = await Accounts.RefreshAsync(client, stolen.RefreshToken);

        await reuse.ReadProblemAsync(HttpStatusCode.Unauthorized, "refresh_token_reused");
        // The successor, issued before the reuse was seen, is revoked with the rest of its family.
        await (await Accounts.RefreshAsync(client, successor.RefreshToken)).ReadProblemAsync(HttpStatusCode.Unauthorized, "invalid_refresh_token");
        // Another sign-in of the same user is another family: it is not affected.
        await (await Accounts.RefreshAsync(client, otherDevice.RefreshToken)).ReadDataAsync(HttpStatusCode.OK);

        await using var scope = api.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SecurityDbContext>();
        var stolenHash = Sha256(stolen.RefreshToken);
        var familyId = await db.RefreshTokens.Where(t => t.TokenHash == stolenHash).Select(t => t.FamilyId).SingleAsync(CancellationToken);
        var family = await db.RefreshTokens.AsNoTracking().Where(t => t.FamilyId == familyId).ToListAsync(CancellationToken);
        Assert.Equal(2, family.Count);
        Assert.All(family, token => Assert.NotNull(token.RevokedAt));
    }

    [Fact]
    public async Task The_cleanup_deletes_the_tokens_of_ended_sign_ins_and_keeps_live_ones_used_or_not()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var client = api.CreateAnonymousClient(handleCookies: false);
        await Accounts.RegisterAsync(api, client, Email);
        var ended = await Accounts.LoginAsync(client, Email);
        var live = await Accounts.LoginAsync(client, Email);
        var successor = IssuedTokens.From(await (await Accounts.RefreshAsync(client, live.RefreshToken)).ReadDataAsync(HttpStatusCode.OK));
        await using (var scope = api.Services.CreateAsyncScope())
        {
            // The first sign-in has reached its end, as it would once Security:Tokens:SignInLifetime has passed.
            var endedHash = Sha256(ended.RefreshToken);
            var past = DateTime.UtcNow.AddMinutes(-1);
            await scope.ServiceProvider.GetRequiredService<SecurityDbContext>().RefreshTokens.Where(t => t.TokenHash == endedHash)
                .ExecuteUpdateAsync(t => t.SetProperty(token => token.FamilyExpiresAt, past).SetProperty(token => token.ExpiresAt, past), CancellationToken);
        }

        var cleanup = api.Services.GetServices<IHostedService>().OfType<RefreshTokenCleanup>().Single();
        Assert.Equal(1, await cleanup.RunOnceAsync(CancellationToken));

        await using (var scope = api.Services.CreateAsyncScope())
        {
            var stored = await scope.ServiceProvider.GetRequiredService<SecurityDbContext>().RefreshTokens.AsNoTracking()
                .Select(t => t.TokenHash).ToListAsync(CancellationToken);
            Assert.Equal(2, stored.Count);
            Assert.Contains(stored, hash => hash.SequenceEqual(Sha256(live.RefreshToken)));
            Assert.Contains(stored, hash => hash.SequenceEqual(Sha256(successor.RefreshToken)));
        }

        // The used token of the live sign-in is still known, so a copy presented now is still caught as a reuse.
        await (await Accounts.RefreshAsync(client, live.RefreshToken)).ReadProblemAsync(HttpStatusCode.Unauthorized, "refresh_token_reused");
        Assert.Equal(0, await cleanup.RunOnceAsync(CancellationToken));
    }

    [Fact]
    public async Task An_unknown_or_missing_refresh_token_is_a_401()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var client = api.CreateAnonymousClient(handleCookies: false);

        await (await Accounts.RefreshAsync(client, "not-a-token-we-issued")).ReadProblemAsync(HttpStatusCode.Unauthorized, "invalid_refresh_token");
        await (await client.PostAsJsonAsync("/api/auth/refresh", new { }, CancellationToken)).ReadProblemAsync(HttpStatusCode.Unauthorized, "invalid_refresh_token");
    }

    [Fact]
    public async Task Refresh_tokens_are_stored_only_as_hashes()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var client = api.CreateAnonymousClient(handleCookies: false);
        await Accounts.RegisterAsync(api, client, Email);
        var first = await Accounts.LoginAsync(client, Email);
        var second = IssuedTokens.From(await (await Accounts.RefreshAsync(client, first.RefreshToken)).ReadDataAsync(HttpStatusCode.OK));

        await using var scope = api.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SecurityDbContext>();
        var stored = await db.RefreshTokens.AsNoTracking().Select(t => t.TokenHash).ToListAsync(CancellationToken);
        Assert.Equal(2, stored.Count);
        Assert.Contains(stored, hash => hash.SequenceEqual(Sha256(first.RefreshToken)));
        Assert.Contains(stored, hash => hash.SequenceEqual(Sha256(second.RefreshToken)));

        // Read every column of every security table as the database returns it: no value holds a token in clear.
        foreach (var token in new[] { first.RefreshToken, second.RefreshToken })
        {
            var holders = await FindValuesContainingAsync(db, token);
            Assert.True(holders.Count == 0, $"The plaintext refresh token is stored in: {string.Join(", ", holders)}");
        }
    }

    [Fact]
    public async Task Browsers_get_the_tokens_as_HttpOnly_Secure_SameSite_Strict_cookies_scoped_to_their_paths()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var client = api.CreateAnonymousClient();
        await Accounts.RegisterAsync(api, client, Email);

        var login = await Accounts.PostLoginAsync(client, Email, useCookies: true);

        var data = (await login.ReadDataAsync(HttpStatusCode.OK)).GetProperty("data");
        Assert.Equal(System.Text.Json.JsonValueKind.Null, data.GetProperty("accessToken").ValueKind);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, data.GetProperty("refreshToken").ValueKind);
        AssertStrictCookie(login, TokenCookies.AccessToken, "/");
        AssertStrictCookie(login, TokenCookies.RefreshToken, "/api/auth");

        // The cookies work: the access token authenticates, the refresh token (sent only to /api/auth) rotates both.
        Assert.Equal(Email, (await Accounts.MeAsync(client)).GetProperty("email").GetString());
        var refresh = await client.PostAsJsonAsync("/api/auth/refresh", new { }, CancellationToken);
        await refresh.ReadDataAsync(HttpStatusCode.OK);
        AssertStrictCookie(refresh, TokenCookies.AccessToken, "/");
        AssertStrictCookie(refresh, TokenCookies.RefreshToken, "/api/auth");
        Assert.NotEqual(CookieValue(login, TokenCookies.RefreshToken), CookieValue(refresh, TokenCookies.RefreshToken));

        // Signing out clears both and ends the sign-in: the last refresh cookie no longer works.
        var lastRefreshToken = CookieValue(refresh, TokenCookies.RefreshToken);
        var logout = await client.PostAsJsonAsync("/api/auth/logout", new { }, CancellationToken);
        Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        Assert.Contains(SetCookies(logout), cookie => cookie.StartsWith($"{TokenCookies.AccessToken}=;", StringComparison.Ordinal));
        Assert.Contains(SetCookies(logout), cookie => cookie.StartsWith($"{TokenCookies.RefreshToken}=;", StringComparison.Ordinal));
        await (await client.GetAsync("/api/auth/me", CancellationToken)).ReadProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
        using var other = api.CreateAnonymousClient(handleCookies: false);
        await (await Accounts.RefreshAsync(other, lastRefreshToken)).ReadProblemAsync(HttpStatusCode.Unauthorized, "invalid_refresh_token");
    }

    private static void AssertStrictCookie(HttpResponseMessage response, string name, string path)
    {
        var cookie = Assert.Single(SetCookies(response), header => header.StartsWith($"{name}=", StringComparison.Ordinal));
        var attributes = cookie.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(attribute => attribute.Split('=', 2))
            .ToDictionary(pair => pair[0].ToLowerInvariant(), pair => pair.Length > 1 ? pair[1] : string.Empty);
        Assert.True(attributes.ContainsKey("httponly"), cookie);
        Assert.True(attributes.ContainsKey("secure"), cookie);
        Assert.Equal("strict", attributes.GetValueOrDefault("samesite")?.ToLowerInvariant());
        Assert.Equal(path, attributes.GetValueOrDefault("path"));
        Assert.False(attributes.ContainsKey("domain"), $"A host-only cookie has no Domain: {cookie}");
        Assert.True(attributes.ContainsKey("expires"), cookie);
    }

    private static string CookieValue(HttpResponseMessage response, string name) =>
        Assert.Single(SetCookies(response), header => header.StartsWith($"{name}=", StringComparison.Ordinal)).Split(';')[0][(name.Length + 1)..];

    private static IEnumerable<string> SetCookies(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Set-Cookie", out var values) ? values : [];

    private static byte[] Sha256(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    /// <summary>Table.column of every stored value (text, or bytes read as UTF-8) that contains <paramref name="secret"/>.</summary>
    private static async Task<List<string>> FindValuesContainingAsync(SecurityDbContext db, string secret)
    {
        var found = new List<string>();
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(CancellationToken);
        try
        {
            var tables = db.Model.GetEntityTypes().Select(entity => entity.GetTableName()).OfType<string>().Distinct().ToList();
            Assert.Contains(db.Model.FindEntityType(typeof(RefreshToken))!.GetTableName(), tables);
            foreach (var table in tables)
            {
                await using var command = connection.CreateCommand();
                command.CommandText = $"SELECT * FROM \"{table}\"";
                await using DbDataReader reader = await command.ExecuteReaderAsync(CancellationToken);
                while (await reader.ReadAsync(CancellationToken))
                {
                    for (var column = 0; column < reader.FieldCount; column++)
                    {
                        var text = reader.GetValue(column) switch
                        {
                            byte[] bytes => Encoding.UTF8.GetString(bytes),
                            var value => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty,
                        };
                        if (text.Contains(secret, StringComparison.Ordinal))
                        {
                            found.Add($"{table}.{reader.GetName(column)}");
                        }
                    }
                }
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }

        return found;
    }
}
