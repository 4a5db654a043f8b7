using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Company.Starter.Api.Tests.Security;

/// <summary>
/// Certificates for the data protection key ring, which an app outside Development needs to start (see
/// <c>KeyRingOptions</c>): self-signed RSA, certificate and private key in one PEM, as the openssl command in the README
/// makes them.
/// </summary>
internal static class KeyRingCertificates
{
    private static readonly Lazy<string> SharedCertificate = new(Create);

    /// <summary>One certificate for the test apps of a run: making an RSA key takes a moment, and few tests care which.</summary>
    public static string Shared => SharedCertificate.Value;

    /// <summary>A new certificate with its private key, as PEM text.</summary>
    public static string Create()
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=key-ring", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        return certificate.ExportCertificatePem() + "\n" + rsa.ExportPkcs8PrivateKeyPem();
    }
}
