using BenchmarkDotNet.Attributes;
using Company.Starter.Api.Security.Passwords;
using Company.Starter.Data.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using PasswordOptions = Company.Starter.Api.Security.PasswordOptions;

namespace Company.Starter.Benchmarks;

/// <summary>
/// What one password sign-in costs the server with the configured Argon2id parameters (the Api's appsettings.json:
/// 64 MiB, 3 passes, 4 lanes): the time to hash and to verify, and the memory each allocates. Use it to choose the
/// parameters for the hardware you deploy on (OWASP: as costly as the sign-in latency budget allows) and to size
/// <c>Security:Passwords:MaxConcurrentHashes</c>.
/// </summary>
[MemoryDiagnoser]
public class Argon2idBenchmarks
{
    private const string Password = "correct horse battery staple";

    private readonly AppUser _user = new();
    private Argon2idPasswordHasher _hasher = null!;
    private string _hash = null!;

    [GlobalSetup]
    public void Setup()
    {
        _hasher = new Argon2idPasswordHasher(Options.Create(ConfiguredOptions()));
        _hash = _hasher.HashPassword(_user, Password);
        if (_hasher.VerifyHashedPassword(_user, _hash, Password) != PasswordVerificationResult.Success)
        {
            throw new InvalidOperationException("The hasher does not verify its own hash.");
        }

        // The PHC string carries the parameters: print them next to the figures.
        Console.WriteLine($"// Argon2id parameters: {_hash.Split('$')[3]}");
    }

    [GlobalCleanup]
    public void Cleanup() => _hasher.Dispose();

    [Benchmark(Description = "Hash (register, rehash)")]
    public string Hash() => _hasher.HashPassword(_user, Password);

    [Benchmark(Description = "Verify (sign-in)")]
    public PasswordVerificationResult Verify() => _hasher.VerifyHashedPassword(_user, _hash, Password);

    /// <summary>The Api's <c>Security:Passwords</c> settings, from the appsettings.json copied next to this program.</summary>
    private static PasswordOptions ConfiguredOptions()
    {
        var configuration = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
            .Build();
        return configuration.GetSection(PasswordOptions.SectionName).Get<PasswordOptions>() ?? new PasswordOptions();
    }
}
