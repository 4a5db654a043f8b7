using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Company.Starter.Data.Security;
using Konscious.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Company.Starter.Api.Security.Passwords;

/// <summary>
/// Hashes passwords with Argon2id (RFC 9106) and stores them in the PHC string format
/// (<c>$argon2id$v=19$m=65536,t=3,p=4$salt$hash</c>), so the parameters travel with each hash. A hash made with
/// other parameters, or by Identity's PBKDF2 hasher, verifies and answers <see cref="PasswordVerificationResult.SuccessRehashNeeded"/>:
/// Identity then stores a new hash on that sign-in, and old hashes upgrade themselves as users come back.
/// The Argon2id computation is Konscious.Security.Cryptography's; only the PHC string (a few lines in <see cref="Format"/>
/// and its parser) is ours. Isopoh.Cryptography.Argon2 implements the format too but was not taken: it locks its
/// working memory into RAM (64 MiB a hash here), which fails or slows down under the small locked-memory limits of
/// containers (its LockFailException reports), and its licence (CC-BY-4.0) is not an open-source software licence.
/// The tests check our strings against an independent recomputation, and that hashes written elsewhere verify.
/// </summary>
public sealed class Argon2idPasswordHasher(IOptions<PasswordOptions> options) : IPasswordHasher<AppUser>, IDisposable
{
    private const string Prefix = "$argon2id$v=19$";
    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    private readonly PasswordOptions _options = options.Value;
    private readonly SemaphoreSlim _slots = new(options.Value.MaxConcurrentHashes, options.Value.MaxConcurrentHashes);
    private readonly PasswordHasher<AppUser> _legacy = new();

    public string HashPassword(AppUser user, string password)
    {
        var parameters = new Argon2Parameters(_options.MemoryKiB, _options.Iterations, _options.Parallelism);
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = Compute(password, salt, parameters, HashBytes);
        return Format(parameters, salt, hash);
    }

    public PasswordVerificationResult VerifyHashedPassword(AppUser user, string hashedPassword, string providedPassword)
    {
        if (!hashedPassword.StartsWith(Prefix, StringComparison.Ordinal))
        {
            // A hash from before Argon2id (Identity's PBKDF2): verify it the old way, then let Identity upgrade it.
            return _legacy.VerifyHashedPassword(user, hashedPassword, providedPassword) == PasswordVerificationResult.Failed
                ? PasswordVerificationResult.Failed
                : PasswordVerificationResult.SuccessRehashNeeded;
        }

        if (!TryParse(hashedPassword, out var parameters, out var salt, out var expected))
        {
            return PasswordVerificationResult.Failed;
        }

        var actual = Compute(providedPassword, salt, parameters, expected.Length);
        if (!CryptographicOperations.FixedTimeEquals(actual, expected))
        {
            return PasswordVerificationResult.Failed;
        }

        return parameters == new Argon2Parameters(_options.MemoryKiB, _options.Iterations, _options.Parallelism)
            ? PasswordVerificationResult.Success
            : PasswordVerificationResult.SuccessRehashNeeded;
    }

    private byte[] Compute(string password, byte[] salt, Argon2Parameters parameters, int length)
    {
        _slots.Wait();
        try
        {
            using var argon2 = new Argon2id(Encoding.UTF8.GetBytes(password))
            {
                Salt = salt,
                MemorySize = parameters.MemoryKiB,
                Iterations = parameters.Iterations,
                DegreeOfParallelism = parameters.Parallelism,
            };
            return argon2.GetBytes(length);
        }
        finally
        {
            _slots.Release();
        }
    }

    private static string Format(Argon2Parameters parameters, byte[] salt, byte[] hash) => string.Create(
        CultureInfo.InvariantCulture,
        $"{Prefix}m={parameters.MemoryKiB},t={parameters.Iterations},p={parameters.Parallelism}${Base64NoPadding(salt)}${Base64NoPadding(hash)}");

    private static bool TryParse(string encoded, out Argon2Parameters parameters, out byte[] salt, out byte[] hash)
    {
        parameters = default;
        salt = hash = [];
        var parts = encoded[Prefix.Length..].Split('$');
        if (parts.Length != 3)
        {
            return false;
        }

        var values = parts[0].Split(',').Select(part => part.Split('=')).ToArray();
        if (values.Length != 3 || values.Any(pair => pair.Length != 2)
            || !int.TryParse(values[0][1], NumberStyles.None, CultureInfo.InvariantCulture, out var memory) || values[0][0] != "m"
            || !int.TryParse(values[1][1], NumberStyles.None, CultureInfo.InvariantCulture, out var iterations) || values[1][0] != "t"
            || !int.TryParse(values[2][1], NumberStyles.None, CultureInfo.InvariantCulture, out var parallelism) || values[2][0] != "p")
        {
            return false;
        }

        try
        {
            salt = Convert.FromBase64String(Pad(parts[1]));
            hash = Convert.FromBase64String(Pad(parts[2]));
        }
        catch (FormatException)
        {
            return false;
        }

        parameters = new Argon2Parameters(memory, iterations, parallelism);
        return salt.Length >= 8 && hash.Length >= 16;
    }

    private static string Base64NoPadding(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=');

    private static string Pad(string base64) => base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=');

    public void Dispose() => _slots.Dispose();

    private readonly record struct Argon2Parameters(int MemoryKiB, int Iterations, int Parallelism);
}
