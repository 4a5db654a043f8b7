using System.ComponentModel.DataAnnotations;

namespace Company.Starter.Api.Security;

/// <summary>Access and refresh tokens, bound from <c>Security:Tokens</c>.</summary>
public sealed class TokenOptions : IValidatableObject
{
    public const string SectionName = "Security:Tokens";

    [Required]
    public string Issuer { get; set; } = "company_starter";

    [Required]
    public string Audience { get; set; } = "company_starter-api";

    /// <summary>How long an access token works. Short, because a stolen one cannot be revoked before it expires.</summary>
    [Range(typeof(TimeSpan), "00:05:00", "00:15:00")]
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long an unused refresh token works; each use replaces it with a new one.</summary>
    [Range(typeof(TimeSpan), "01:00:00", "7.00:00:00")]
    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromDays(1);

    /// <summary>The longest a sign-in lasts however often it is refreshed; then the user signs in again.</summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "7.00:00:00")]
    public TimeSpan SignInLifetime { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How often the refresh tokens of ended sign-ins are deleted.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan CleanupInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Tolerated clock difference between token issuer and validators.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A PEM file holding the ECDSA P-256 private key that signs access tokens (made by the <c>keys generate</c>
    /// command). Mount it as a secret; never commit it.
    /// </summary>
    public string? SigningKeyPath { get; set; }

    /// <summary>The same key as PEM text, for hosts that inject secrets as environment variables.</summary>
    public string? SigningKey { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        // Empty counts as unset: an environment variable such as Security__Tokens__SigningKey= often exists empty.
        if (!string.IsNullOrWhiteSpace(SigningKeyPath) && !string.IsNullOrWhiteSpace(SigningKey))
        {
            yield return new ValidationResult("Set SigningKeyPath or SigningKey, not both.", [nameof(SigningKeyPath), nameof(SigningKey)]);
        }

        if (RefreshTokenLifetime > SignInLifetime)
        {
            yield return new ValidationResult("RefreshTokenLifetime cannot be longer than SignInLifetime.", [nameof(RefreshTokenLifetime)]);
        }
    }
}

/// <summary>Password hashing, lockout and the rate of sign-in attempts, bound from <c>Security:Passwords</c>.</summary>
public sealed class PasswordOptions
{
    public const string SectionName = "Security:Passwords";

    /// <summary>Argon2id memory in KiB (OWASP: at least 19 MiB; the default is 64 MiB).</summary>
    [Range(19_456, 1_048_576)]
    public int MemoryKiB { get; set; } = 65_536;

    /// <summary>Argon2id passes over the memory.</summary>
    [Range(2, 10)]
    public int Iterations { get; set; } = 3;

    /// <summary>Argon2id lanes.</summary>
    [Range(1, 16)]
    public int Parallelism { get; set; } = 4;

    /// <summary>
    /// Hashes computed at once; more wait. Each takes <see cref="MemoryKiB"/> of memory and a core for a few hundred
    /// milliseconds, so unbounded concurrency would let a burst of sign-ins exhaust the server.
    /// </summary>
    [Range(1, 256)]
    public int MaxConcurrentHashes { get; set; } = Math.Max(1, Environment.ProcessorCount);

    [Range(8, 128)]
    public int RequiredLength { get; set; } = 12;

    /// <summary>Failed sign-ins in a row before the account is locked.</summary>
    [Range(1, 100)]
    public int MaxFailedAttempts { get; set; } = 5;

    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan LockoutDuration { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Requests to the sign-in, registration and token endpoints a client IP may make per <see cref="AttemptWindow"/>.</summary>
    [Range(1, 100_000)]
    public int AttemptsPerWindow { get; set; } = 10;

    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan AttemptWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long an emailed password reset code works (once).</summary>
    [Range(typeof(TimeSpan), "00:05:00", "1.00:00:00")]
    public TimeSpan ResetCodeLifetime { get; set; } = TimeSpan.FromMinutes(30);
}

/// <summary>Passkey (WebAuthn) ceremonies, bound from <c>Security:Passkeys</c>.</summary>
public sealed class PasskeyOptions : IValidatableObject
{
    public const string SectionName = "Security:Passkeys";

    /// <summary>The relying party id: the site's registrable domain (e.g. <c>example.com</c>). Empty: the request's host.</summary>
    public string? ServerDomain { get; set; }

    /// <summary>
    /// The exact origins allowed to run a ceremony (e.g. <c>https://app.example.com</c>). Empty: only the origin the
    /// request itself was sent to.
    /// </summary>
    public string[] Origins { get; set; } = [];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var origin in Origins)
        {
            if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http") || uri.PathAndQuery != "/")
            {
                yield return new ValidationResult($"'{origin}' is not an origin: use scheme://host[:port].", [nameof(Origins)]);
            }
        }
    }
}

/// <summary>
/// Sign-in with an external OpenID Connect provider, bound from <c>Security:Oidc</c>. Off unless
/// <see cref="Authority"/> is set. Authorization code flow with PKCE only.
/// </summary>
public sealed class OidcOptions : IValidatableObject
{
    public const string SectionName = "Security:Oidc";

    /// <summary>The provider's issuer URL (its discovery document is at <c>/.well-known/openid-configuration</c>).</summary>
    public string? Authority { get; set; }

    public string? ClientId { get; set; }

    /// <summary>Only for confidential clients; PKCE is used either way. Keep it in a secret store.</summary>
    public string? ClientSecret { get; set; }

    /// <summary>The exact redirect path registered with the provider.</summary>
    [RegularExpression("^/[A-Za-z0-9/_-]*$")]
    public string CallbackPath { get; set; } = "/signin-oidc";

    public string DisplayName { get; set; } = "Single sign-on";

    public bool Enabled => !string.IsNullOrWhiteSpace(Authority);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Enabled)
        {
            yield break;
        }

        if (!Uri.TryCreate(Authority, UriKind.Absolute, out var authority) || authority.Scheme != Uri.UriSchemeHttps)
        {
            yield return new ValidationResult("Authority must be an https URL.", [nameof(Authority)]);
        }

        if (string.IsNullOrWhiteSpace(ClientId))
        {
            yield return new ValidationResult("ClientId is required when Authority is set.", [nameof(ClientId)]);
        }
    }
}

/// <summary>
/// The data protection key ring (kept in the database) is encrypted with this certificate's RSA key. Without it the
/// keys would be stored as written, and whoever can read the database could forge what they protect: cookies,
/// antiforgery tokens, passkey ceremony state and password reset codes; so outside Development the app refuses to
/// start without one. Make one with <c>openssl req -x509 -newkey rsa:3072 -nodes -days 1825 -subj /CN=key-ring
/// -keyout key-ring.pem -out key-ring.pem</c> and keep it out of the database and of source control, like the signing
/// key. Keep it after a rotation too: keys it encrypted need it to be read.
/// </summary>
public sealed class KeyRingOptions : IValidatableObject
{
    public const string SectionName = "Security:KeyRing";

    /// <summary>A PEM file with the certificate (and its private key, unless <see cref="CertificateKeyPath"/> is set).</summary>
    public string? CertificatePath { get; set; }

    /// <summary>A PEM file with the certificate's private key, when it is kept apart.</summary>
    public string? CertificateKeyPath { get; set; }

    /// <summary>
    /// The certificate and its private key as PEM text (the file's content), for hosts that inject secrets as
    /// environment variables; instead of <see cref="CertificatePath"/>.
    /// </summary>
    public string? Certificate { get; set; }

    /// <summary>Whether the stored keys are encrypted. Empty counts as unset: such environment variables often exist empty.</summary>
    public bool HasCertificate => !string.IsNullOrWhiteSpace(CertificatePath) || !string.IsNullOrWhiteSpace(Certificate);

    /// <summary>Why an app outside Development refuses to start without one; names the settings.</summary>
    public static string Required =>
        $"{SectionName}:CertificatePath is required outside Development (or {SectionName}:Certificate with the PEM text): without it the " +
        "data protection keys are stored unencrypted in the database, and whoever reads it can forge password reset codes, " +
        "cookies and passkey ceremony state. Make one with `openssl req -x509 -newkey rsa:3072 -nodes -days 1825 -subj /CN=key-ring " +
        "-keyout key-ring.pem -out key-ring.pem` and set the setting to that file.";

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrWhiteSpace(CertificatePath) && !string.IsNullOrWhiteSpace(Certificate))
        {
            yield return new ValidationResult($"Set {SectionName}:CertificatePath or {SectionName}:Certificate, not both.", [nameof(CertificatePath), nameof(Certificate)]);
        }
    }
}
