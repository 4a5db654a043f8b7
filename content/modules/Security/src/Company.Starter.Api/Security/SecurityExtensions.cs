using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading.RateLimiting;
using Company.Starter.Api.Security;
using Company.Starter.Api.Security.Authorization;
using Company.Starter.Api.Security.Email;
using Company.Starter.Api.Security.Passwords;
using Company.Starter.Api.Security.Tokens;
using Company.Starter.Data.Security;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
// Identity has options of the same names.
using PasswordOptions = Company.Starter.Api.Security.PasswordOptions;
using TokenOptions = Company.Starter.Api.Security.TokenOptions;

// In the namespace of the host's other Add/Use/Map extensions (AddServiceDefaults, AddData): Program.cs calls them
// without a using of its own, so the security module's calls are its only lines there.
namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The security module: Identity on the application's database, passkeys, Argon2id passwords, ES256 access tokens
/// with rotating refresh tokens, policies, optional OIDC sign-in, rate limits on every auth endpoint, antiforgery and
/// security headers.
/// </summary>
public static partial class SecurityExtensions
{
    public const string AuthRateLimitPolicy = "auth";
    public const string OidcScheme = "oidc";

    public static TBuilder AddSecurity<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        var services = builder.Services;
        services.AddOptions<TokenOptions>().BindConfiguration(TokenOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<PasswordOptions>().BindConfiguration(PasswordOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<PasskeyOptions>().BindConfiguration(PasskeyOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<OidcOptions>().BindConfiguration(OidcOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();

        services.AddIdentityCore<AppUser>(identity =>
            {
                identity.User.RequireUniqueEmail = true;
                identity.Lockout.AllowedForNewUsers = true;
                // Length, not composition rules (NIST SP 800-63B); the length and lockout come from PasswordOptions below.
                identity.Password.RequireDigit = false;
                identity.Password.RequireLowercase = false;
                identity.Password.RequireUppercase = false;
                identity.Password.RequireNonAlphanumeric = false;
                identity.Password.RequiredUniqueChars = 1;
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<SecurityDbContext>()
            .AddSignInManager()
            .AddDefaultTokenProviders();
        services.AddOptions<IdentityOptions>().Configure<IOptions<PasswordOptions>>((identity, passwords) =>
        {
            identity.Password.RequiredLength = passwords.Value.RequiredLength;
            identity.Lockout.MaxFailedAccessAttempts = passwords.Value.MaxFailedAttempts;
            identity.Lockout.DefaultLockoutTimeSpan = passwords.Value.LockoutDuration;
        });
        services.AddSingleton<IPasswordHasher<AppUser>, Argon2idPasswordHasher>();

        // Passkeys (WebAuthn), where the solution was generated with them: Passkeys/SecurityExtensions.Passkeys.cs.
        AddPasskeys(services);

        services.AddSingleton(provider => SigningKey.Load(
            provider.GetRequiredService<IOptions<TokenOptions>>(),
            provider.GetRequiredService<IHostEnvironment>(),
            provider.GetRequiredService<ILogger<SigningKey>>()));
        // Not while the build describes the endpoints: that run has none of the deployment's settings or services.
        if (!Company.Starter.Api.Http.BuildTimeOpenApi.IsRunning)
        {
            // Loaded when the app starts, so a missing or unusable key stops it with the reason, not its first request.
            services.AddHostedService<SigningKeyCheck>();
            services.AddHostedService<RefreshTokenCleanup>();
        }

        services.AddSingleton<AccessTokens>();
        services.AddScoped<RefreshTokens>();
        services.AddScoped<TokenIssuer>();

        // Account email (email confirmation and password reset codes) goes through SMTP when Email:SmtpHost is set, and
        // is logged in Development without it; otherwise there is no sender: password reset answers 503, and a new
        // account's email is confirmed by an operator (`users confirm-email`).
        services.AddOptions<EmailOptions>().BindConfiguration(EmailOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<DataProtectionTokenProviderOptions>().Configure<IOptions<PasswordOptions>>((codes, passwords) =>
            codes.TokenLifespan = passwords.Value.ResetCodeLifetime);
        var email = builder.Configuration.GetSection(EmailOptions.SectionName).Get<EmailOptions>() ?? new EmailOptions();
        if (email.Enabled)
        {
            services.AddSingleton<EmailDelivery>();
            services.AddHostedService(provider => provider.GetRequiredService<EmailDelivery>());
            services.AddSingleton<IAccountEmailSender, AccountEmailSender>();
            services.AddSingleton<IEmailSender<AppUser>>(provider => provider.GetRequiredService<IAccountEmailSender>());
        }
        else if (builder.Environment.IsDevelopment())
        {
            services.AddSingleton<IAccountEmailSender, LoggedEmailSender>();
            services.AddSingleton<IEmailSender<AppUser>>(provider => provider.GetRequiredService<IAccountEmailSender>());
        }

        // Bearer tokens for every API call; the Identity cookies only carry a passkey ceremony's state (and an
        // external sign-in's result) between two requests.
        var authentication = services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme);
        authentication.AddJwtBearer();
        authentication.AddIdentityCookies();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<SigningKey, IOptions<TokenOptions>>((jwt, key, tokens) =>
            {
                jwt.MapInboundClaims = false;
                jwt.TokenValidationParameters = AccessTokens.ValidationParameters(key, tokens.Value);
                jwt.Events = new JwtBearerEvents
                {
                    // Browsers hold the access token in an HttpOnly cookie; API clients send the Authorization header.
                    OnMessageReceived = context =>
                    {
                        if (string.IsNullOrEmpty(context.Request.Headers.Authorization))
                        {
                            context.Token = context.Request.Cookies[TokenCookies.AccessToken];
                        }

                        return Task.CompletedTask;
                    },
                    // A refused token gets `Bearer error="invalid_token"` and nothing more: the handler's description
                    // ("the issuer 'x' is invalid", "the signature key was not found") would tell whoever crafts tokens
                    // which check each attempt failed. The reason is in the app's log, not in the answer.
                    OnChallenge = context =>
                    {
                        context.ErrorDescription = null;
                        context.ErrorUri = null;
                        return Task.CompletedTask;
                    },
                };
            });
        foreach (var scheme in new[] { IdentityConstants.TwoFactorUserIdScheme, IdentityConstants.ExternalScheme, IdentityConstants.ApplicationScheme, IdentityConstants.TwoFactorRememberMeScheme })
        {
            services.Configure<Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationOptions>(scheme, cookie =>
            {
                cookie.Cookie.HttpOnly = true;
                cookie.Cookie.SecurePolicy = CookieSecurePolicy.Always;
                cookie.Cookie.SameSite = scheme == IdentityConstants.ExternalScheme ? SameSiteMode.Lax : SameSiteMode.Strict;
            });
        }

        AddOidc(builder, authentication);

        // Kestrel names itself in a Server header on every response; nothing needs to know.
        services.Configure<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>(kestrel => kestrel.AddServerHeader = false);

        services.AddAuthorization(Policies.Add);
        services.AddOpenApiSecurity();
        // Enforces the access the API's operations declare (replaces its open access).
        services.AddPolicyAccess();

        // One key ring for every instance, in the database: the passkey ceremony state, antiforgery tokens, password
        // reset codes and Identity's cookies protected by one instance are read by another, and survive a restart or a
        // deployment (the default key ring is per machine and lost with a container). The application name, not the
        // default (the content root path), is what lets instances installed in different directories share it. The
        // keys are encrypted with the certificate in Security:KeyRing (see KeyRingOptions). Outside Development the app
        // does not start without it: whoever could read the database could forge password reset codes. Development
        // keeps working without one (the framework warns when it stores a key in the clear); so does the build, which
        // only describes the endpoints.
        services.AddOptions<KeyRingOptions>().BindConfiguration(KeyRingOptions.SectionName).ValidateDataAnnotations()
            .Validate<IHostEnvironment>(
                (keyRing, environment) => keyRing.HasCertificate || environment.IsDevelopment() || Company.Starter.Api.Http.BuildTimeOpenApi.IsRunning,
                KeyRingOptions.Required)
            .ValidateOnStart();
        var dataProtection = services.AddDataProtection().SetApplicationName("Company.Starter");
        if (Company.Starter.Api.Http.BuildTimeOpenApi.IsRunning)
        {
            // The build's run that describes the endpoints has no database: its keys live in memory and die with it,
            // instead of an error-level "cannot read the key ring" in every build.
            dataProtection.UseEphemeralDataProtectionProvider();
        }
        else
        {
            dataProtection.PersistKeysToDbContext<SecurityDbContext>();
        }

        if (builder.Configuration.GetSection(KeyRingOptions.SectionName).Get<KeyRingOptions>() is { HasCertificate: true } keyRing)
        {
            dataProtection.ProtectKeysWithCertificate(LoadKeyRingCertificate(keyRing));
        }

        services.AddAntiforgery(antiforgery =>
            // Secure on every response, like the module's other cookies, but not through SecurePolicy = Always: with
            // it, antiforgery answers 500 to any request the app does not see as HTTPS, which both http://localhost in
            // development (a secure context to browsers) and an app behind a TLS-terminating proxy are.
            antiforgery.Cookie = new AlwaysSecureCookieBuilder
            {
                Name = "__Host-antiforgery",
                SameSite = SameSiteMode.Strict,
                HttpOnly = true,
                IsEssential = true,
            });

        services.AddOptions<RateLimiterOptions>().Configure<IOptions<PasswordOptions>>((limiter, passwords) =>
            limiter.AddPolicy(AuthRateLimitPolicy, context => RateLimitPartition.GetFixedWindowLimiter(
                context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = passwords.Value.AttemptsPerWindow,
                    Window = passwords.Value.AttemptWindow,
                    QueueLimit = 0,
                })));

        return builder;
    }

    /// <summary>The key ring's certificate, read when the app starts: a missing or unusable one stops it with the reason.</summary>
    private static X509Certificate2 LoadKeyRingCertificate(KeyRingOptions keyRing)
    {
        var fromFile = !string.IsNullOrWhiteSpace(keyRing.CertificatePath);
        try
        {
            var certificate = fromFile
                ? X509Certificate2.CreateFromPemFile(keyRing.CertificatePath!, string.IsNullOrEmpty(keyRing.CertificateKeyPath) ? null : keyRing.CertificateKeyPath)
                : X509Certificate2.CreateFromPem(keyRing.Certificate, keyRing.Certificate);
            using var key = certificate.GetRSAPrivateKey();
            return key is not null ? certificate : throw new InvalidOperationException("The certificate has no RSA private key.");
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or CryptographicException or InvalidOperationException or ArgumentException)
        {
            throw new InvalidOperationException(
                fromFile
                    ? $"{KeyRingOptions.SectionName}:CertificatePath '{keyRing.CertificatePath}' is not a usable certificate: {exception.Message}"
                    : $"{KeyRingOptions.SectionName}:Certificate is not a usable certificate with its private key: {exception.Message}",
                exception);
        }
    }

    /// <summary>
    /// Sign-in with an external OpenID Connect provider, when <c>Security:Oidc:Authority</c> is set: authorization
    /// code flow with PKCE (S256) only, the exact registered redirect path, no implicit or hybrid flow.
    /// </summary>
    private static void AddOidc(IHostApplicationBuilder builder, Microsoft.AspNetCore.Authentication.AuthenticationBuilder authentication)
    {
        var oidc = builder.Configuration.GetSection(OidcOptions.SectionName).Get<OidcOptions>() ?? new OidcOptions();
        if (!oidc.Enabled)
        {
            return;
        }

        authentication.AddOpenIdConnect(OidcScheme, oidc.DisplayName, _ => { });
        builder.Services.AddOptions<OpenIdConnectOptions>(OidcScheme).Configure<IOptions<OidcOptions>>((options, configured) =>
        {
            var settings = configured.Value;
            options.Authority = settings.Authority;
            options.ClientId = settings.ClientId;
            options.ClientSecret = settings.ClientSecret;
            options.CallbackPath = settings.CallbackPath;
            options.ResponseType = OpenIdConnectResponseType.Code;
            options.UsePkce = true;
            options.RequireHttpsMetadata = true;
            options.SignInScheme = IdentityConstants.ExternalScheme;
            options.MapInboundClaims = false;
            options.SaveTokens = false;
            options.GetClaimsFromUserInfoEndpoint = true;
            options.Scope.Clear();
            options.Scope.Add("openid");
            options.Scope.Add("profile");
            options.Scope.Add("email");
        });
    }

    /// <summary>
    /// Security headers on every response: a strict Content-Security-Policy (this API serves no inline script), no
    /// framing, no MIME sniffing, no referrer, HSTS on HTTPS.
    /// </summary>
    public static WebApplication UseSecurityHeaders(this WebApplication app)
    {
        var strict = new HeaderPolicyCollection()
            .AddContentTypeOptionsNoSniff()
            .AddFrameOptionsDeny()
            .AddReferrerPolicyNoReferrer()
            .AddCrossOriginOpenerPolicy(policy => policy.SameOrigin())
            .AddStrictTransportSecurityMaxAgeIncludeSubDomains(maxAgeInSeconds: 63_072_000)
            .RemoveServerHeader()
            .AddContentSecurityPolicy(csp =>
            {
                csp.AddDefaultSrc().Self();
                csp.AddScriptSrc().Self();
                csp.AddStyleSrc().Self();
                csp.AddImgSrc().Self().Data();
                csp.AddConnectSrc().Self();
                csp.AddObjectSrc().None();
                csp.AddBaseUri().None();
                csp.AddFormAction().Self();
                csp.AddFrameAncestors().None();
            });

        if (app.Environment.IsDevelopment())
        {
            // The Scalar UI loads its script from a CDN: it keeps every header but the Content-Security-Policy.
            var relaxed = new HeaderPolicyCollection()
                .AddContentTypeOptionsNoSniff()
                .AddFrameOptionsDeny()
                .AddReferrerPolicyNoReferrer();
            app.UseWhen(context => context.Request.Path.StartsWithSegments("/scalar"), scalar => scalar.UseSecurityHeaders(relaxed));
            app.UseWhen(context => !context.Request.Path.StartsWithSegments("/scalar"), other => other.UseSecurityHeaders(strict));
        }
        else
        {
            app.UseSecurityHeaders(strict);
        }

        return app;
    }

    public static WebApplication MapSecurityEndpoints(this WebApplication app)
    {
        // The endpoints that hand out tokens, and their neighbours: no cache may keep any of their answers.
        var tokenEndpoints = app.MapGroup("").WithNoStore();
        tokenEndpoints.MapAuthEndpoints();
        MapPasskeys(app, tokenEndpoints);
        tokenEndpoints.MapExternalSignIn();

        // The public key that signs access tokens, for other services that validate them.
        app.MapGet("/.well-known/jwks.json", (SigningKey key) => TypedResults.Json(new { keys = new[] { key.PublicJwk } }))
            .ExcludeFromDescription();

        return app;
    }

    static partial void AddPasskeys(IServiceCollection services);

    static partial void MapPasskeys(WebApplication app, RouteGroupBuilder tokenEndpoints);

    /// <summary>A cookie with the Secure attribute whatever the request's scheme (browsers refuse to store it over plain HTTP, except on localhost).</summary>
    private sealed class AlwaysSecureCookieBuilder : CookieBuilder
    {
        public override CookieOptions Build(HttpContext context, DateTimeOffset expiresFrom)
        {
            var options = base.Build(context, expiresFrom);
            options.Secure = true;
            return options;
        }
    }
}
