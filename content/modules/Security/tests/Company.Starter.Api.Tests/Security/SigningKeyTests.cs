using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Company.Starter.Api.Hosting;
using Company.Starter.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Hosting;

namespace Company.Starter.Api.Tests.Security;

/// <summary>
/// The token signing key: <c>keys generate</c> makes a P-256 key only its owner can read and never overwrites one; a
/// production app without a key refuses to start and says how to make one.
/// </summary>
public sealed class SigningKeyTests(TestEnvironment environment) : IDisposable
{
    private const string P256Oid = "1.2.840.10045.3.1.7";

    private readonly string _directory = Directory.CreateTempSubdirectory("signing-key-tests-").FullName;

    private static CancellationToken CancellationToken => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Keys_generate_writes_a_P256_PKCS8_PEM_readable_only_by_its_owner()
    {
        var path = Path.Combine(_directory, "signing-key.pem");

        var (exitCode, output, error) = await RunAsync("keys", "generate", "--output", path);

        Assert.True(exitCode == 0, error);
        Assert.Contains(path, output, StringComparison.Ordinal);
        var pem = File.ReadAllText(path);
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", pem, StringComparison.Ordinal);
        AssertP256PrivateKey(pem);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
    }

    [Fact]
    public async Task Keys_generate_refuses_to_overwrite_an_existing_file()
    {
        var path = Path.Combine(_directory, "signing-key.pem");
        Assert.Equal(0, (await RunAsync("keys", "generate", "--output", path)).ExitCode);
        var original = File.ReadAllText(path);

        var (exitCode, _, error) = await RunAsync("keys", "generate", "--output", path);

        Assert.Equal(1, exitCode);
        Assert.Contains("refusing to overwrite", error, StringComparison.Ordinal);
        Assert.Equal(original, File.ReadAllText(path));
    }

    [Fact]
    public async Task Keys_generate_without_output_prints_the_PEM_and_writes_no_file()
    {
        var (exitCode, output, error) = await RunAsync("keys", "generate");

        Assert.True(exitCode == 0, error);
        AssertP256PrivateKey(output);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_directory));
        Assert.NotEqual(output, (await RunAsync("keys", "generate")).Output);
    }

    [Fact]
    public async Task An_unknown_keys_command_prints_the_usage()
    {
        var (exitCode, _, error) = await RunAsync("keys", "rotate");

        Assert.Equal(2, exitCode);
        Assert.Contains("keys generate", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_app_signs_with_the_key_file_keys_generate_made()
    {
        var path = Path.Combine(_directory, "signing-key.pem");
        Assert.Equal(0, (await RunAsync("keys", "generate", "--output", path)).ExitCode);
        await using var api = await ApiFactory.StartAsync(environment, settings: new Dictionary<string, string?>
        {
            // Empty counts as unset (the test app's own key is replaced by the file).
            ["Security:Tokens:SigningKey"] = string.Empty,
            ["Security:Tokens:SigningKeyPath"] = path,
        });
        using var client = api.CreateAnonymousClient();

        var jwks = await client.GetFromJsonAsync<JsonElement>("/.well-known/jwks.json", CancellationToken);

        var jwk = Assert.Single(jwks.GetProperty("keys").EnumerateArray());
        using var key = HandMadeJwt.ImportKey(File.ReadAllText(path));
        var expected = key.ExportParameters(includePrivateParameters: false).Q;
        Assert.Equal("EC", jwk.GetProperty("kty").GetString());
        Assert.Equal("P-256", jwk.GetProperty("crv").GetString());
        Assert.Equal(expected.X, System.Buffers.Text.Base64Url.DecodeFromChars(jwk.GetProperty("x").GetString()));
        Assert.Equal(expected.Y, System.Buffers.Text.Base64Url.DecodeFromChars(jwk.GetProperty("y").GetString()));
    }

    [Theory]
    [InlineData("no key", "keys generate")]
    [InlineData("a missing key file", "does not exist")]
    [InlineData("a P-384 key", "P-256")]
    public async Task A_production_app_without_a_usable_key_refuses_to_start_and_says_why(string problem, string expectedMessage)
    {
        await using var settings = await environment.CreateAppSettingsAsync(CancellationToken);
        var values = new Dictionary<string, string?>(settings.Values);
        switch (problem)
        {
            case "a missing key file":
                values["Security:Tokens:SigningKeyPath"] = Path.Combine(_directory, "nowhere.pem");
                break;
            case "a P-384 key":
                using (var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384))
                {
                    values["Security:Tokens:SigningKey"] = p384.ExportPkcs8PrivateKeyPem();
                }

                break;
        }

        await using var app = new ProductionApp(values);

        var failure = Assert.ThrowsAny<Exception>(() => app.Services);

        var messages = Messages(failure);
        Assert.Contains(expectedMessage, messages, StringComparison.Ordinal);
        if (problem == "no key")
        {
            Assert.Contains("--output", messages, StringComparison.Ordinal);
            Assert.Contains("Security:Tokens:SigningKeyPath", messages, StringComparison.Ordinal);
        }
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>Runs the command line as Program.cs does, before any app is built (<c>keys</c> needs none).</summary>
    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var command = HostCommand.Parse(args, output, error);
        Assert.False(command.NeedsApp);
        var exitCode = await command.RunAsync(CancellationToken);
        return (exitCode, output.ToString(), error.ToString());
    }

    private static void AssertP256PrivateKey(string pem)
    {
        var label = PemEncoding.Find(pem);
        Assert.Equal("PRIVATE KEY", pem[label.Label]);
        using var key = ECDsa.Create();
        // PKCS#8 specifically: the import fails on any other structure.
        key.ImportPkcs8PrivateKey(Convert.FromBase64String(pem[label.Base64Data]), out _);
        var parameters = key.ExportParameters(includePrivateParameters: true);
        Assert.Equal(P256Oid, parameters.Curve.Oid.Value);
        Assert.Equal(32, parameters.D?.Length);
    }

    private static string Messages(Exception exception) => exception switch
    {
        AggregateException aggregate => string.Join(" | ", aggregate.InnerExceptions.Select(Messages)),
        { InnerException: { } inner } => $"{exception.Message} | {Messages(inner)}",
        _ => exception.Message,
    };

    /// <summary>The app as deployed: Production, the given settings and a key ring certificate (no signing key unless they name one).</summary>
    private sealed class ProductionApp(IReadOnlyDictionary<string, string?> settings) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Production");
            builder.UseSetting("Security:KeyRing:Certificate", KeyRingCertificates.Shared);
            foreach (var (key, value) in settings)
            {
                builder.UseSetting(key, value);
            }
        }

        protected override IHost CreateHost(IHostBuilder builder) => StartupGate.Start(builder);
    }
}
