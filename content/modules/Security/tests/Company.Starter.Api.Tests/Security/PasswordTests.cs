using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Company.Starter.Data.Security;
using Company.Starter.Testing;
using Konscious.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PasswordOptions = Company.Starter.Api.Security.PasswordOptions;

namespace Company.Starter.Api.Tests.Security;

/// <summary>
/// Passwords: Argon2id in PHC format with the configured cost, old hashes upgraded on sign-in, lockout after repeated
/// failures, a rate limit on the auth endpoints, and answers that do not reveal which emails have accounts.
/// </summary>
public sealed partial class PasswordTests(TestEnvironment environment)
{
    private const string Email = "pat@example.test";

    private static CancellationToken CancellationToken => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_registered_user_signs_in_with_the_password_and_only_with_it()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var client = api.CreateAnonymousClient(handleCookies: false);

        var id = await Accounts.RegisterAsync(api, client, Email);
        var tokens = await Accounts.LoginAsync(client, Email);

        using var signedIn = api.CreateBearerClient(tokens.AccessToken);
        var me = await Accounts.MeAsync(signedIn);
        Assert.Equal(id, me.GetProperty("id").GetString());
        Assert.Equal("pwd", me.GetProperty("authenticationMethod").GetString());
        Assert.Empty(me.GetProperty("roles").EnumerateArray());
        await (await Accounts.PostLoginAsync(client, Email, Accounts.Password + "!")).ReadProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");
        // Registering the email again is accepted like a new one (see RegistrationTests), and changes nothing.
        await Accounts.AssertRegistrationAcceptedAsync(await Accounts.PostRegisterAsync(client, Email, "another long password"));
        await (await Accounts.PostLoginAsync(client, Email, "another long password")).ReadProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");
        await Accounts.LoginAsync(client, Email);
        var tooShort = await client.PostAsJsonAsync("/api/auth/register", new { email = "short@example.test", password = "short" }, CancellationToken);
        await tooShort.ReadValidationProblemAsync("password");
    }

    [Theory]
    [InlineData(null, null, null)]
    [InlineData(19_456, 2, 1)]
    public async Task The_stored_hash_is_Argon2id_in_PHC_format_with_the_configured_parameters(int? memoryKiB, int? iterations, int? parallelism)
    {
        var settings = new Dictionary<string, string?>();
        if (memoryKiB is not null)
        {
            settings["Security:Passwords:MemoryKiB"] = memoryKiB.Value.ToString(CultureInfo.InvariantCulture);
            settings["Security:Passwords:Iterations"] = iterations!.Value.ToString(CultureInfo.InvariantCulture);
            settings["Security:Passwords:Parallelism"] = parallelism!.Value.ToString(CultureInfo.InvariantCulture);
        }

        await using var api = await ApiFactory.StartAsync(environment, settings: settings);
        using var client = api.CreateAnonymousClient(handleCookies: false);
        await Accounts.RegisterAsync(api, client, Email);

        var stored = await Accounts.StoredPasswordHashAsync(api, Email);

        // Without overrides, the parameters are appsettings.json's: 64 MiB, 3 passes, 4 lanes.
        var (m, t, p) = (memoryKiB ?? 65_536, iterations ?? 3, parallelism ?? 4);
        var phc = PhcArgon2id().Match(stored ?? string.Empty);
        Assert.True(phc.Success, $"Not an Argon2id PHC string: {stored}");
        Assert.Equal($"m={m},t={t},p={p}", phc.Groups["parameters"].Value);

        // Recompute it independently: the string is a real Argon2id hash of the password, not just a label.
        var salt = Convert.FromBase64String(Pad(phc.Groups["salt"].Value));
        var hash = Convert.FromBase64String(Pad(phc.Groups["hash"].Value));
        Assert.Equal(16, salt.Length);
        using var argon2 = new Argon2id(Encoding.UTF8.GetBytes(Accounts.Password))
        {
            Salt = salt,
            MemorySize = m,
            Iterations = t,
            DegreeOfParallelism = p,
        };
        Assert.Equal(hash, argon2.GetBytes(hash.Length));
    }

    [Fact]
    public async Task A_legacy_PBKDF2_hash_verifies_and_is_upgraded_to_Argon2id_on_sign_in()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var client = api.CreateAnonymousClient(handleCookies: false);
        // What Identity's default hasher stored before this app switched to Argon2id.
        var legacy = new PasswordHasher<AppUser>().HashPassword(new AppUser(), Accounts.Password);
        await Accounts.SeedUserAsync(api, Email, legacy);

        await (await Accounts.PostLoginAsync(client, Email, "not the password at all")).ReadProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");
        Assert.Equal(legacy, await Accounts.StoredPasswordHashAsync(api, Email));

        await Accounts.LoginAsync(client, Email);

        var upgraded = await Accounts.StoredPasswordHashAsync(api, Email);
        Assert.StartsWith("$argon2id$v=19$m=65536,t=3,p=4$", upgraded, StringComparison.Ordinal);
        await Accounts.LoginAsync(client, Email);
        Assert.Equal(upgraded, await Accounts.StoredPasswordHashAsync(api, Email));
    }

    [Fact]
    public async Task An_Argon2id_hash_with_older_parameters_is_rehashed_with_the_current_ones_on_sign_in()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var client = api.CreateAnonymousClient(handleCookies: false);
        // The "old" hash is made by an independent Argon2id implementation, not the app's hasher, so the test also
        // proves the app reads PHC strings that other software wrote.
        var salt = Encoding.UTF8.GetBytes("sixteen-byte-slt");
        using var argon2 = new Argon2id(Encoding.UTF8.GetBytes(Accounts.Password)) { Salt = salt, MemorySize = 19_456, Iterations = 2, DegreeOfParallelism = 1 };
        var old = $"$argon2id$v=19$m=19456,t=2,p=1${Unpadded(salt)}${Unpadded(argon2.GetBytes(32))}";
        await Accounts.SeedUserAsync(api, Email, old);

        await Accounts.LoginAsync(client, Email);

        var current = await Accounts.StoredPasswordHashAsync(api, Email);
        Assert.StartsWith("$argon2id$v=19$m=65536,t=3,p=4$", current, StringComparison.Ordinal);
        await Accounts.LoginAsync(client, Email);
    }

    [Fact]
    public async Task Repeated_failures_lock_the_account_and_then_even_the_right_password_is_refused()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var client = api.CreateAnonymousClient(handleCookies: false);
        await Accounts.RegisterAsync(api, client, Email);
        var maxFailedAttempts = api.Services.GetRequiredService<IOptions<PasswordOptions>>().Value.MaxFailedAttempts;
        Assert.Equal(5, maxFailedAttempts);

        for (var attempt = 1; attempt <= maxFailedAttempts; attempt++)
        {
            Assert.False(await IsLockedOutAsync(api, Email), $"Locked after {attempt - 1} failures.");
            await (await Accounts.PostLoginAsync(client, Email, $"wrong guess {attempt:D4}")).ReadProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");
        }

        // Locked: the right password gets the answer a wrong one gets (a distinct answer would tell that the email has an account).
        Assert.True(await IsLockedOutAsync(api, Email));
        await (await Accounts.PostLoginAsync(client, Email)).ReadProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");

        await using var scope = api.Services.CreateAsyncScope();
        var user = await scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>().FindByEmailAsync(Email);
        Assert.InRange(user!.LockoutEnd!.Value - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(14), TimeSpan.FromMinutes(15));
        // The count starts again, so once the lock ends the owner has the same number of tries.
        Assert.Equal(0, user.AccessFailedCount);
    }

    [Fact]
    public async Task Wrong_guesses_sent_at_once_all_count_and_lock_the_account()
    {
        // A cheaper hash (the smallest OWASP recommends), so that two dozen at once fit in the request timeout.
        await using var api = await ApiFactory.StartAsync(environment, settings: new Dictionary<string, string?>
        {
            ["Security:Passwords:MemoryKiB"] = "19456",
            ["Security:Passwords:Iterations"] = "2",
            ["Security:Passwords:Parallelism"] = "1",
        });
        using var client = api.CreateAnonymousClient(handleCookies: false);
        await Accounts.RegisterAsync(api, client, Email);
        var maxFailedAttempts = api.Services.GetRequiredService<IOptions<PasswordOptions>>().Value.MaxFailedAttempts;
        var guesses = (maxFailedAttempts * 4) + 3;

        // Released together, so that they overlap as an attacker's parallel requests do.
        using var start = new SemaphoreSlim(0);
        var attempts = Enumerable.Range(0, guesses).Select(async guess =>
        {
            await start.WaitAsync(CancellationToken);
            using var response = await Accounts.PostLoginAsync(client, Email, $"parallel wrong guess {guess:D4}");
            return response.StatusCode;
        }).ToList();
        start.Release(guesses);

        Assert.All(await Task.WhenAll(attempts), status => Assert.Equal(HttpStatusCode.Unauthorized, status));
        Assert.True(await IsLockedOutAsync(api, Email), $"{guesses} concurrent wrong guesses did not lock an account that allows {maxFailedAttempts}.");
        await (await Accounts.PostLoginAsync(client, Email)).ReadProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");
    }

    [Fact]
    public async Task A_locked_account_answers_like_an_unknown_email()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var client = api.CreateAnonymousClient(handleCookies: false);
        await Accounts.RegisterAsync(api, client, Email);
        for (var attempt = 0; attempt < 5; attempt++)
        {
            using var _ = await Accounts.PostLoginAsync(client, Email, $"somebody's guess number {attempt}");
        }

        Assert.True(await IsLockedOutAsync(api, Email));

        var unknown = await (await Accounts.PostLoginAsync(client, "nobody@example.test")).ReadProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");
        var locked = await (await Accounts.PostLoginAsync(client, Email)).ReadProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");
        var lockedWrong = await (await Accounts.PostLoginAsync(client, Email, "yet another guess")).ReadProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");

        Assert.Equal(Comparable(unknown), Comparable(locked));
        Assert.Equal(Comparable(unknown), Comparable(lockedWrong));
    }

    [Fact]
    public async Task An_unknown_email_and_a_wrong_password_get_the_same_401()
    {
        await using var api = await ApiFactory.StartAsync(environment);
        using var client = api.CreateAnonymousClient(handleCookies: false);
        await Accounts.RegisterAsync(api, client, Email);

        var unknown = await (await Accounts.PostLoginAsync(client, "nobody@example.test")).ReadProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");
        var wrong = await (await Accounts.PostLoginAsync(client, Email, "not the password at all")).ReadProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");

        Assert.Equal(Comparable(unknown), Comparable(wrong));
    }

    [Fact]
    public async Task The_auth_endpoints_answer_429_with_Retry_After_once_a_client_exceeds_its_attempts()
    {
        await using var api = await ApiFactory.StartAsync(environment, settings: new Dictionary<string, string?>
        {
            ["Security:Passwords:AttemptsPerWindow"] = "3",
            // An hour: the window cannot roll over while the test runs, however slow the machine.
            ["Security:Passwords:AttemptWindow"] = "01:00:00",
        });
        using var client = api.CreateAnonymousClient(handleCookies: false);

        for (var attempt = 0; attempt < 3; attempt++)
        {
            await (await Accounts.PostLoginAsync(client, $"guess{attempt}@example.test")).ReadProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");
        }

        var throttled = await Accounts.PostLoginAsync(client, "guess3@example.test");

        await throttled.ReadProblemAsync(HttpStatusCode.TooManyRequests, "rate_limited");
        Assert.InRange(throttled.Headers.RetryAfter?.Delta ?? TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1));
        // The limit covers every auth endpoint, not only the one that was hammered...
        var register = await client.PostAsJsonAsync("/api/auth/register", new { email = "new@example.test", password = Accounts.Password }, CancellationToken);
        await register.ReadProblemAsync(HttpStatusCode.TooManyRequests, "rate_limited");
        // ...and nothing else.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/.well-known/jwks.json", CancellationToken)).StatusCode);
    }

    private static async Task<bool> IsLockedOutAsync(ApiFactory api, string email)
    {
        await using var scope = api.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        return await users.FindByEmailAsync(email) is { } user && await users.IsLockedOutAsync(user);
    }

    /// <summary>A problem without the fields that differ per request.</summary>
    internal static string Comparable(JsonElement problem) => string.Join(
        '\n',
        problem.EnumerateObject().Where(property => property.Name is not ("traceId" or "instance")).Select(property => $"{property.Name}={property.Value}"));

    private static string Unpadded(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=');

    private static string Pad(string base64) => base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=');

    [GeneratedRegex(@"^\$argon2id\$v=19\$(?<parameters>m=\d+,t=\d+,p=\d+)\$(?<salt>[A-Za-z0-9+/]+)\$(?<hash>[A-Za-z0-9+/]+)$")]
    private static partial Regex PhcArgon2id();
}
