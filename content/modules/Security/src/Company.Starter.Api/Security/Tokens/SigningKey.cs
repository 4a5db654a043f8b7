using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Company.Starter.Api.Security.Tokens;

/// <summary>
/// The ECDSA P-256 key that signs access tokens (ES256). It comes from a PEM file or PEM text in configuration,
/// made by <c>keys generate</c>; in Development only, a missing key is replaced by one that lives as long as the
/// process (tokens then die with it).
/// </summary>
public sealed class SigningKey : IDisposable
{
    private readonly ECDsa _ecdsa;

    private SigningKey(ECDsa ecdsa)
    {
        _ecdsa = ecdsa;
        Key = new ECDsaSecurityKey(ecdsa);
        Key.KeyId = Base64UrlEncoder.Encode(JsonWebKeyConverter.ConvertFromECDsaSecurityKey(Key).ComputeJwkThumbprint());
        Credentials = new SigningCredentials(Key, SecurityAlgorithms.EcdsaSha256);
    }

    public ECDsaSecurityKey Key { get; }

    public SigningCredentials Credentials { get; }

    /// <summary>The public half as a JSON Web Key, for other services that validate our tokens.</summary>
    public JsonWebKey PublicJwk
    {
        get
        {
            using var publicOnly = ECDsa.Create(_ecdsa.ExportParameters(includePrivateParameters: false));
            var jwk = JsonWebKeyConverter.ConvertFromECDsaSecurityKey(new ECDsaSecurityKey(publicOnly));
            jwk.KeyId = Key.KeyId;
            jwk.Use = "sig";
            jwk.Alg = SecurityAlgorithms.EcdsaSha256;
            return jwk;
        }
    }

    public static SigningKey Load(IOptions<TokenOptions> options, IHostEnvironment environment, ILogger<SigningKey> logger)
    {
        var tokens = options.Value;
        var pem = !string.IsNullOrWhiteSpace(tokens.SigningKey) ? tokens.SigningKey
            : !string.IsNullOrWhiteSpace(tokens.SigningKeyPath) ? ReadKeyFile(tokens.SigningKeyPath)
            : null;
        if (pem is null)
        {
            if (!environment.IsDevelopment())
            {
                throw new InvalidOperationException(
                    $"No token signing key is configured. Create one with `dotnet {environment.ApplicationName}.dll keys generate --output <file>` " +
                    $"and set {TokenOptions.SectionName}:SigningKeyPath to that file (or {TokenOptions.SectionName}:SigningKey to its PEM text).");
            }

            logger.LogWarning("No token signing key is configured: using a key that lives as long as this process (Development only)");
            return new SigningKey(ECDsa.Create(ECCurve.NamedCurves.nistP256));
        }

        var ecdsa = ECDsa.Create();
        try
        {
            ecdsa.ImportFromPem(pem);
        }
        catch (ArgumentException exception)
        {
            ecdsa.Dispose();
            throw new InvalidOperationException("The token signing key is not a PEM-encoded EC private key.", exception);
        }

        if (ecdsa.KeySize != 256)
        {
            ecdsa.Dispose();
            throw new InvalidOperationException($"The token signing key must be an ECDSA P-256 key (ES256); it has {ecdsa.KeySize} bits.");
        }

        return new SigningKey(ecdsa);
    }

    /// <summary>A new P-256 private key as PKCS#8 PEM.</summary>
    public static string Generate()
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return ecdsa.ExportPkcs8PrivateKeyPem();
    }

    private static string ReadKeyFile(string path) => File.Exists(path)
        ? File.ReadAllText(path)
        : throw new InvalidOperationException($"The token signing key file '{path}' does not exist.");

    public void Dispose() => _ecdsa.Dispose();
}

/// <summary>Loads the <see cref="SigningKey"/> when the host starts, so that a missing or unusable key stops the app at once.</summary>
internal sealed class SigningKeyCheck(IServiceProvider services) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = services.GetRequiredService<SigningKey>();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
