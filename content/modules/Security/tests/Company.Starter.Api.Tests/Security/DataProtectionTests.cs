using System.Security.Cryptography;
using System.Text;
using Company.Starter.Data.Security;
using Company.Starter.Testing;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Company.Starter.Api.Tests.Security;

/// <summary>
/// The data protection key ring lives in the database: what one instance protects (a passkey ceremony's state, an
/// antiforgery token, a password reset code, Identity's cookies) another instance on the same database reads, and so
/// does the next deployment. The stored keys are encrypted with the configured certificate, and only its holders read
/// them; outside Development the app does not start without one (<see cref="KeyRingTests"/>).
/// </summary>
public sealed class DataProtectionTests(TestEnvironment environment)
{
    private const string Secret = "ceremony state";

    private static CancellationToken CancellationToken => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Instances_on_one_database_share_the_key_ring_it_holds()
    {
        await using var first = await ApiFactory.StartAsync(environment);
        var payload = Protector(first).Protect(Encoding.UTF8.GetBytes(Secret));

        // The key that protected it is a row of the database, not a file of this machine.
        Assert.NotNull(await StoredKeyAsync(first, payload));

        // Another instance, as a second replica or the next deployment would be: the same database, nothing else shared
        // but the process.
        await using var second = await ApiFactory.StartAsync(environment, settings: SameDatabase(first));
        Assert.Equal(Secret, Encoding.UTF8.GetString(Protector(second).Unprotect(payload)));
    }

    [Fact]
    public async Task With_a_certificate_the_stored_keys_are_encrypted_and_only_its_holders_read_them()
    {
        var certificatePath = WriteCertificate();
        try
        {
            // The file instead of the PEM text every test app gets.
            var withCertificate = new Dictionary<string, string?> { ["Security:KeyRing:CertificatePath"] = certificatePath, ["Security:KeyRing:Certificate"] = "" };
            await using var first = await ApiFactory.StartAsync(environment, settings: withCertificate);
            var payload = Protector(first).Protect(Encoding.UTF8.GetBytes(Secret));

            var stored = await StoredKeyAsync(first, payload);
            Assert.NotNull(stored);
            Assert.Contains("encryptedSecret", stored, StringComparison.Ordinal);
            Assert.DoesNotContain("<value>", stored, StringComparison.Ordinal); // where the key material is in the clear

            await using var holder = await ApiFactory.StartAsync(environment, settings: new Dictionary<string, string?>(withCertificate.Concat(SameDatabase(first))));
            Assert.Equal(Secret, Encoding.UTF8.GetString(Protector(holder).Unprotect(payload)));

            // Reading the database is not enough without the certificate.
            await using var stranger = await ApiFactory.StartAsync(environment, settings: new Dictionary<string, string?>(SameDatabase(first))
            {
                ["Security:KeyRing:Certificate"] = KeyRingCertificates.Create(),
            });
            Assert.ThrowsAny<CryptographicException>(() => Protector(stranger).Unprotect(payload));
        }
        finally
        {
            File.Delete(certificatePath);
        }
    }

    [Fact]
    public async Task An_unusable_certificate_stops_the_app_with_the_reason()
    {
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => ApiFactory.StartAsync(environment, settings: new Dictionary<string, string?>
        {
            ["Security:KeyRing:CertificatePath"] = Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}.pem"),
            ["Security:KeyRing:Certificate"] = "",
        }));

        Assert.Contains("Security:KeyRing:CertificatePath", failure.ToString(), StringComparison.Ordinal);
    }

    private static IDataProtector Protector(ApiFactory api) =>
        api.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector(nameof(DataProtectionTests));

    private static Dictionary<string, string?> SameDatabase(ApiFactory api) => new()
    {
        ["ConnectionStrings:appdb"] = api.Services.GetRequiredService<IConfiguration>().GetConnectionString("appdb"),
    };

    /// <summary>The stored XML of the key that protected <paramref name="payload"/> (its id follows the payload's 4-byte magic header).</summary>
    private static async Task<string?> StoredKeyAsync(ApiFactory api, byte[] payload)
    {
        var keyId = new Guid(payload.AsSpan(4, 16));
        await using var scope = api.Services.CreateAsyncScope();
        var keys = await scope.ServiceProvider.GetRequiredService<SecurityDbContext>().DataProtectionKeys.AsNoTracking().ToListAsync(CancellationToken);
        return keys.Select(key => key.Xml).SingleOrDefault(xml => xml is not null && xml.Contains($"id=\"{keyId}\"", StringComparison.Ordinal));
    }

    /// <summary>A self-signed RSA certificate with its private key in one PEM file, as the openssl command in KeyRingOptions makes.</summary>
    private static string WriteCertificate()
    {
        var path = Path.Combine(Path.GetTempPath(), $"key-ring-{Guid.NewGuid():N}.pem");
        File.WriteAllText(path, KeyRingCertificates.Create());
        return path;
    }
}
