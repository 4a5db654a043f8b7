using System.Net;
using System.Text;
using Company.Starter.Data.Security;
using Company.Starter.Testing;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Company.Starter.Api.Tests.Security;

/// <summary>
/// Outside Development the app refuses to start unless the data protection key ring is encrypted: the keys live in the
/// database, and with them in the clear a database reader could forge password reset codes, cookies and passkey
/// ceremony state. Development starts without a certificate.
/// </summary>
public sealed class KeyRingTests(TestEnvironment environment)
{
    private static CancellationToken CancellationToken => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    public async Task A_production_app_without_a_key_ring_certificate_refuses_to_start_and_names_the_setting(string unset)
    {
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => ApiFactory.StartAsync(environment, settings: new Dictionary<string, string?>
        {
            ["Security:KeyRing:Certificate"] = unset,
            ["Security:KeyRing:CertificatePath"] = unset,
        }));

        var message = failure.ToString();
        Assert.Contains("Security:KeyRing:CertificatePath is required outside Development", message, StringComparison.Ordinal);
        Assert.Contains("openssl req -x509", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_production_app_with_the_certificate_as_pem_text_starts_and_encrypts_its_keys()
    {
        // ApiFactory gives every app Security:KeyRing:Certificate: the form for hosts that inject secrets as variables.
        await using var api = await ApiFactory.StartAsync(environment);
        using var client = api.CreateAnonymousClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/alive", CancellationToken)).StatusCode);

        var protector = api.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector(nameof(KeyRingTests));
        Assert.Equal("secret", Encoding.UTF8.GetString(protector.Unprotect(protector.Protect("secret"u8.ToArray()))));
        await using var scope = api.Services.CreateAsyncScope();
        var stored = Assert.Single(await scope.ServiceProvider.GetRequiredService<SecurityDbContext>().DataProtectionKeys.AsNoTracking().ToListAsync(CancellationToken));
        Assert.Contains("encryptedSecret", stored.Xml, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Both_forms_of_the_certificate_at_once_are_refused_at_start()
    {
        var path = Path.Combine(Path.GetTempPath(), $"key-ring-{Guid.NewGuid():N}.pem");
        await File.WriteAllTextAsync(path, KeyRingCertificates.Shared, CancellationToken);
        try
        {
            // The PEM text comes from ApiFactory; which of the two was meant is not for the app to guess.
            var failure = await Assert.ThrowsAnyAsync<Exception>(() => ApiFactory.StartAsync(environment, settings: new Dictionary<string, string?>
            {
                ["Security:KeyRing:CertificatePath"] = path,
            }));

            Assert.Contains("Set Security:KeyRing:CertificatePath or Security:KeyRing:Certificate, not both", failure.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Development_starts_without_a_certificate()
    {
        await using var api = await ApiFactory.StartAsync(environment, settings: new Dictionary<string, string?>
        {
            ["environment"] = "Development",
            ["Security:KeyRing:Certificate"] = "",
        });
        using var client = api.CreateAnonymousClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/alive", CancellationToken)).StatusCode);
        var protector = api.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector(nameof(KeyRingTests));
        Assert.Equal("secret", Encoding.UTF8.GetString(protector.Unprotect(protector.Protect("secret"u8.ToArray()))));
    }
}
