using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using TemplatePack.Tests.Fixture;
using TemplatePack.Tests.Infrastructure;

namespace TemplatePack.Tests.Run;

/// <summary>
/// The generated Api started the way an operator would: `dotnet &lt;Code&gt;.Api.dll migrate` first (an explicit
/// step that must exit 0), then `dotnet &lt;dll&gt; --urls http://127.0.0.1:0` in Production. Disposing kills the
/// process tree, whatever happened in the test.
/// </summary>
public sealed partial class ApiHost : IAsyncDisposable
{
    private static readonly TimeSpan AliveTimeout = TimeSpan.FromSeconds(60);

    private readonly RunningProcess _process;

    private ApiHost(RunningProcess process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
        Client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(15) };
    }

    public Uri BaseAddress { get; }

    public HttpClient Client { get; }

    /// <summary>The end of what the app printed so far, for failure messages (JSON logs are long; the end is what matters).</summary>
    public string Output
    {
        get
        {
            return Tail(_process.OutputSoFar);
        }
    }

    /// <summary>Everything the app printed so far, for checks that read its log lines (e.g. no error-level line for a client's mistake).</summary>
    public string FullOutput => _process.OutputSoFar;

    public static Dictionary<string, string?> Environment(string databaseConnectionString, string? redis) => new()
    {
        ["ConnectionStrings__appdb"] = databaseConnectionString,
        ["ConnectionStrings__redis"] = redis,
        // Runs share one Redis; a prefix per app keeps one run's cached rows out of another's answers.
        ["Data__CacheKeyPrefix"] = $"harness-{Guid.NewGuid():N}:",
        ["ASPNETCORE_ENVIRONMENT"] = "Production",
        // Nothing from the developer's machine may leak into "Production".
        ["DOTNET_ENVIRONMENT"] = null,
        ["ASPNETCORE_URLS"] = null,
    };

    /// <summary>Runs the migrate verb; throws with its output when it does not exit 0.</summary>
    public static async Task MigrateAsync(GeneratedSolution solution, IReadOnlyDictionary<string, string?> environment)
    {
        var migrate = await ProcessRunner.RunAsync(ProcessSpec.Dotnet(solution.ApiDll, "migrate") with
        {
            WorkingDirectory = Path.GetDirectoryName(solution.ApiDll),
            Environment = environment,
            Timeout = TimeSpan.FromMinutes(2),
        });
        Assert.True(migrate.ExitCode == 0, $"`{Path.GetFileName(solution.ApiDll)} migrate` must exit 0:\n{migrate.Describe()}");
    }

    /// <summary>
    /// Runs `keys generate --output &lt;file&gt;` (the command the security module ships for operators) and returns the
    /// key file, which must exist and be readable by its owner only.
    /// </summary>
    public static async Task<string> GenerateSigningKeyAsync(GeneratedSolution solution, string directory)
    {
        var path = Path.Combine(directory, "signing-key.pem");
        var generate = await ProcessRunner.RunAsync(ProcessSpec.Dotnet(solution.ApiDll, "keys", "generate", "--output", path) with
        {
            WorkingDirectory = Path.GetDirectoryName(solution.ApiDll),
            Timeout = TimeSpan.FromMinutes(1),
        });
        Assert.True(generate.ExitCode == 0 && File.Exists(path), $"`keys generate --output` must exit 0 and write the key:\n{generate.Describe()}");
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }

        Assert.Contains("-----BEGIN PRIVATE KEY-----", await File.ReadAllTextAsync(path));
        return path;
    }

    /// <summary>
    /// Makes the data protection key ring's certificate with the openssl command the generated README gives (outside
    /// Development the app refuses to start without one) and returns the PEM file, certificate and private key in one.
    /// </summary>
    public static async Task<string> GenerateKeyRingCertificateAsync(string directory)
    {
        var path = Path.Combine(directory, "key-ring.pem");
        var openssl = await ProcessRunner.RunAsync(new ProcessSpec("openssl",
            ["req", "-x509", "-newkey", "rsa:3072", "-nodes", "-days", "1825", "-subj", "/CN=key-ring", "-keyout", path, "-out", path])
        {
            WorkingDirectory = directory,
            Timeout = TimeSpan.FromMinutes(1),
        });
        Assert.True(openssl.ExitCode == 0 && File.Exists(path), $"The README's openssl command must make the key ring certificate:\n{openssl.Describe()}");
        var pem = await File.ReadAllTextAsync(path);
        Assert.Contains("-----BEGIN CERTIFICATE-----", pem);
        Assert.Contains("-----BEGIN PRIVATE KEY-----", pem);
        return path;
    }

    /// <summary>The bearer token of the user <see cref="SignInAsync"/> registered, for clients other than <see cref="Client"/>.</summary>
    public string? AccessToken { get; private set; }

    /// <summary>
    /// Registers a user with a password, confirms its email with the app's `users confirm-email` command (the app sends
    /// no email here, and an unconfirmed account cannot sign in with its password), signs in, and makes
    /// <see cref="Client"/> send its access token.
    /// </summary>
    public async Task SignInAsync(GeneratedSolution solution, IReadOnlyDictionary<string, string?> environment)
    {
        // Each of the two requests computes an Argon2id hash (64 MiB, 3 passes): on a machine busy building other
        // scenarios that can take seconds, so these get more time than the client's usual 15 s.
        using var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(90) };
        var credentials = new { email = "harness@example.test", password = $"harness-{Guid.NewGuid():N}" };
        using (var register = await client.PostAsJsonAsync("/api/auth/register", credentials))
        {
            Assert.True(register.StatusCode == System.Net.HttpStatusCode.Accepted,
                $"POST /api/auth/register → {(int)register.StatusCode}: {await register.Content.ReadAsStringAsync()}");
        }

        var confirm = await ProcessRunner.RunAsync(ProcessSpec.Dotnet(solution.ApiDll, "users", "confirm-email", credentials.email) with
        {
            WorkingDirectory = Path.GetDirectoryName(solution.ApiDll),
            Environment = environment,
            Timeout = TimeSpan.FromMinutes(1),
        });
        Assert.True(confirm.ExitCode == 0, $"`users confirm-email` must exit 0:\n{confirm.Describe()}");

        using var login = await client.PostAsJsonAsync("/api/auth/login", credentials);
        var body = await login.Content.ReadAsStringAsync();
        Assert.True(login.IsSuccessStatusCode, $"POST /api/auth/login → {(int)login.StatusCode}: {body}");
        using var json = System.Text.Json.JsonDocument.Parse(body);
        AccessToken = json.RootElement.GetProperty("data").GetProperty("accessToken").GetString();
        Assert.False(string.IsNullOrEmpty(AccessToken), $"The login answer carries no access token: {body}");
        Client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", AccessToken);
    }

    /// <summary>
    /// Starts the app on port 0 (Kestrel binds a port the OS chooses, so no other process can take it between a
    /// choice and the bind), reads the address back from the app's "Now listening on" log line, and waits (bounded)
    /// until `/alive` answers 200.
    /// </summary>
    /// <param name="dll">Another web host of the solution to start the same way (the messaging worker); the API by default.</param>
    public static async Task<ApiHost> StartAsync(GeneratedSolution solution, IReadOnlyDictionary<string, string?> environment, string? dll = null)
    {
        dll ??= solution.ApiDll;
        var process = RunningProcess.Start(ProcessSpec.Dotnet(dll, "--urls", "http://127.0.0.1:0") with
        {
            WorkingDirectory = Path.GetDirectoryName(dll),
            Environment = environment,
        });
        try
        {
            var baseAddress = await ListeningAddressAsync(process);
            var host = new ApiHost(process, baseAddress);
            await host.WaitUntilAliveAsync();
            return host;
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    private static async Task<Uri> ListeningAddressAsync(RunningProcess process)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < AliveTimeout)
        {
            var match = ListeningOn().Match(process.OutputSoFar);
            if (match.Success)
            {
                return new Uri(match.Groups["address"].Value);
            }

            if (process.HasExited)
            {
                throw new InvalidOperationException($"The app exited during start-up:\n{Tail(process.OutputSoFar)}");
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"The app did not log \"Now listening on: http://127.0.0.1:<port>\" within {AliveTimeout.TotalSeconds}s:\n{Tail(process.OutputSoFar)}");
    }

    private static string Tail(string output) => output.Length <= 8_000 ? output : "…(truncated)…\n" + output[^8_000..];

    [GeneratedRegex(@"Now listening on: (?<address>http://127\.0\.0\.1:[0-9]+)")]
    private static partial Regex ListeningOn();

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _process.DisposeAsync();
    }

    private async Task WaitUntilAliveAsync()
    {
        using var probe = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var clock = Stopwatch.StartNew();
        string last = "no answer yet";
        while (clock.Elapsed < AliveTimeout)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The app exited during start-up:\n{Output}");
            }

            try
            {
                using var response = await probe.GetAsync("/alive");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }

                last = $"/alive answered {(int)response.StatusCode}";
            }
            catch (HttpRequestException e)
            {
                last = e.Message; // not listening yet
            }
            catch (TaskCanceledException)
            {
                last = "/alive timed out";
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"/alive did not answer 200 within {AliveTimeout.TotalSeconds}s (last: {last}). App output:\n{Output}");
    }
}
