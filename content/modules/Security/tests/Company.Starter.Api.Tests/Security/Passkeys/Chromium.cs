using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Playwright;

namespace Company.Starter.Api.Tests.Security.Passkeys;

/// <summary>
/// A headless Chromium driven by Playwright, shared by a test class. It uses a Chromium-based browser already
/// installed: <c>COMPANY_STARTER_TEST_CHROMIUM</c>, else the usual places of Chromium, Google Chrome and Microsoft Edge on
/// Linux, macOS and Windows; it never downloads one. Without one every browser test is skipped, with the reason.
/// </summary>
public sealed class Chromium : IAsyncLifetime
{
    public const string Variable = "COMPANY_STARTER_TEST_CHROMIUM";

    private static IEnumerable<string> KnownPaths()
    {
        if (OperatingSystem.IsWindows())
        {
            var roots = new[] { Environment.SpecialFolder.ProgramFiles, Environment.SpecialFolder.ProgramFilesX86, Environment.SpecialFolder.LocalApplicationData }
                .Select(Environment.GetFolderPath)
                .Where(root => root.Length > 0);
            foreach (var root in roots)
            {
                yield return Path.Combine(root, "Google", "Chrome", "Application", "chrome.exe");
                yield return Path.Combine(root, "Microsoft", "Edge", "Application", "msedge.exe");
                yield return Path.Combine(root, "Chromium", "Application", "chrome.exe");
            }
        }
        else if (OperatingSystem.IsMacOS())
        {
            yield return "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome";
            yield return "/Applications/Chromium.app/Contents/MacOS/Chromium";
            yield return "/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge";
        }
        else
        {
            yield return "/usr/bin/chromium";
            yield return "/usr/bin/chromium-browser";
            yield return "/usr/bin/google-chrome";
            yield return "/usr/bin/google-chrome-stable";
            yield return "/usr/bin/microsoft-edge";
            yield return "/snap/bin/chromium";
        }
    }

    private IPlaywright? _playwright;
    private IBrowser? _browser;
    private string? _skipReason;

    public async ValueTask InitializeAsync()
    {
        var configured = Environment.GetEnvironmentVariable(Variable);
        var path = string.IsNullOrEmpty(configured) ? KnownPaths().FirstOrDefault(File.Exists) : configured;
        if (path is null || !File.Exists(path))
        {
            _skipReason = path is null
                ? $"No Chromium, Chrome or Edge to run the browser tests: install one (Debian: apt-get install chromium) or set {Variable} to its executable."
                : $"No Chromium at {path} ({Variable}): point it at a Chromium or Chrome executable.";
            return;
        }

        // Generous: the suite runs many apps at once on small CI machines.
        Assertions.SetDefaultExpectTimeout(15_000);
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = path,
            Headless = true,
            Timeout = 60_000,
            Args =
            [
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-default-apps",
                "--disable-sync",
                "--no-first-run",
                "--password-store=basic",
            ],
        });
    }

    /// <summary>A new browser profile (cookies of its own) with one tab; skips the test when there is no Chromium.</summary>
    public async Task<BrowserTab> OpenTabAsync()
    {
        Assert.SkipWhen(_skipReason is not null, _skipReason ?? string.Empty);
        var context = await _browser!.NewContextAsync();
        context.SetDefaultTimeout(30_000);
        return new BrowserTab(context, await context.NewPageAsync());
    }

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }
}

/// <summary>A browser profile and its one tab; disposing closes the profile.</summary>
public sealed class BrowserTab(IBrowserContext context, IPage page) : IAsyncDisposable
{
    public IBrowserContext Context { get; } = context;

    public IPage Page { get; } = page;

    public ValueTask DisposeAsync() => Context.DisposeAsync();
}

/// <summary>
/// Chromium's virtual WebAuthn authenticator (DevTools protocol), attached to one tab: a platform authenticator with
/// resident keys and user verification that always says yes, like a phone whose owner unlocks it.
/// </summary>
public sealed class VirtualAuthenticator
{
    private readonly ICDPSession _session;

    private VirtualAuthenticator(ICDPSession session, string id)
    {
        _session = session;
        Id = id;
    }

    public string Id { get; }

    public static async Task<VirtualAuthenticator> AttachAsync(IBrowserContext context, IPage page)
    {
        var session = await context.NewCDPSessionAsync(page);
        await session.SendAsync("WebAuthn.enable", new Dictionary<string, object> { ["enableUI"] = false });
        var added = await session.SendAsync("WebAuthn.addVirtualAuthenticator", new Dictionary<string, object>
        {
            ["options"] = new Dictionary<string, object>
            {
                ["protocol"] = "ctap2",
                ["ctap2Version"] = "ctap2_1",
                ["transport"] = "internal",
                ["hasResidentKey"] = true,
                ["hasUserVerification"] = true,
                ["isUserVerified"] = true,
                ["automaticPresenceSimulation"] = true,
            },
        });
        return new VirtualAuthenticator(session, added!.Value.GetProperty("authenticatorId").GetString()!);
    }

    /// <summary>The credentials the authenticator holds (id, rpId, userHandle, signCount, isResidentCredential).</summary>
    public async Task<IReadOnlyList<JsonElement>> CredentialsAsync()
    {
        var result = await _session.SendAsync("WebAuthn.getCredentials", new Dictionary<string, object> { ["authenticatorId"] = Id });
        return [.. result!.Value.GetProperty("credentials").EnumerateArray()];
    }
}

/// <summary>
/// The app on real Kestrel (a browser cannot reach the in-memory test server), at <c>http://localhost:port</c>:
/// WebAuthn needs a secure context, and <c>localhost</c> is one over plain HTTP (127.0.0.1 is not a valid RP id).
/// </summary>
public static class KestrelApp
{
    /// <summary>Free loopback ports, picked before the app starts so that its settings can name them.</summary>
    public static int[] FreePorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        try
        {
            listeners.ForEach(listener => listener.Start());
            return [.. listeners.Select(listener => ((IPEndPoint)listener.LocalEndpoint).Port)];
        }
        finally
        {
            listeners.ForEach(listener => listener.Stop());
        }
    }

    /// <summary>Serves <paramref name="api"/>'s app (same settings, same database) on Kestrel at each of <paramref name="ports"/>.</summary>
    public static IReadOnlyList<string> Serve(ApiFactory api, params int[] ports)
    {
        // The tests run the build output, not a publish: the page's files are found through the build's static web
        // assets manifest, which the host only reads by itself in Development.
        var kestrel = api.WithWebHostBuilder(builder => builder.UseStaticWebAssets());
        kestrel.UseKestrel(options =>
        {
            foreach (var port in ports)
            {
                options.Listen(IPAddress.Loopback, port);
            }
        });
        kestrel.StartServer();
        return [.. ports.Select(port => $"http://localhost:{port}")];
    }
}
