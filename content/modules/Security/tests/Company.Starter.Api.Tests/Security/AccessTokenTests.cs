using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Company.Starter.Api.Security;
using Company.Starter.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Company.Starter.Api.Tests.Security;

/// <summary>
/// Access tokens: what the app accepts is exactly an ES256 signature by its own key over a token for its issuer and
/// audience, unexpired. Every attack below is a token built by hand, as an attacker would, not by a library that
/// refuses to make it; the accepted hand-made token proves the builder itself is right.
/// </summary>
public sealed class AccessTokenTests(AccessTokenTests.SharedApi shared) : IClassFixture<AccessTokenTests.SharedApi>
{
    private static CancellationToken CancellationToken => TestContext.Current.CancellationToken;

    public static TheoryData<string> Attacks =>
    [
        "alg none, empty signature",
        "alg None, empty signature",
        "alg NONE, empty signature",
        "alg none, real signature kept",
        "HS256 keyed with the public key PEM",
        "HS256 keyed with the public key DER",
        "HS256 keyed with the published JWKS",
        "signed by another P-256 key",
        "expired",
        "not yet valid",
        "no expiry",
        "wrong audience",
        "wrong issuer",
        "tampered payload",
    ];

    [Fact]
    public async Task A_hand_made_ES256_token_signed_with_the_app_key_is_accepted_and_me_reflects_its_claims()
    {
        var (api, options) = await StartAsync();
        using var signingKey = HandMadeJwt.ImportKey(api.SigningKeyPem);
        var token = HandMadeJwt.SignEs256(await HeaderAsync(api, "ES256"), Claims(options), signingKey);
        using var client = api.CreateBearerClient(token);

        var me = await Accounts.MeAsync(client);

        Assert.Equal("user-42", me.GetProperty("id").GetString());
        Assert.Equal("mallory@example.test", me.GetProperty("email").GetString());
        Assert.Equal(["reader"], me.GetProperty("roles").EnumerateArray().Select(role => role.GetString()));
        Assert.Equal("pwd", me.GetProperty("authenticationMethod").GetString());
    }

    [Fact]
    public async Task Issued_access_tokens_are_ES256_and_verify_with_the_published_key()
    {
        var (api, _) = await StartAsync();
        using var anonymous = api.CreateAnonymousClient();
        await Accounts.RegisterAsync(api, anonymous, "issued@example.test");
        var tokens = await Accounts.LoginAsync(anonymous, "issued@example.test");

        var (header, payload) = HandMadeJwt.Decode(tokens.AccessToken);
        var jwk = await PublishedKeyAsync(api);
        Assert.Equal("ES256", header.GetProperty("alg").GetString());
        Assert.Equal(jwk.GetProperty("kid").GetString(), header.GetProperty("kid").GetString());
        Assert.Equal("pwd", payload.GetProperty("amr").GetString());
        var lifetime = payload.GetProperty("exp").GetInt64() - payload.GetProperty("iat").GetInt64();
        Assert.InRange(lifetime, 5 * 60, 15 * 60);

        // Another service can check the signature with nothing but the JWKS document.
        using var published = ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint
            {
                X = Base64UrlDecode(jwk.GetProperty("x").GetString()!),
                Y = Base64UrlDecode(jwk.GetProperty("y").GetString()!),
            },
        });
        var parts = tokens.AccessToken.Split('.');
        Assert.True(published.VerifyData(
            Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}"), Base64UrlDecode(parts[2]), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
        Assert.False(jwk.TryGetProperty("d", out _), "The JWKS must not publish the private key.");
    }

    [Theory]
    [MemberData(nameof(Attacks))]
    public async Task A_forged_or_invalid_token_is_a_401(string attack)
    {
        var (api, options) = await StartAsync();
        var token = await ForgeAsync(api, options, attack);
        using var client = api.CreateBearerClient(token);

        var response = await client.GetAsync("/api/auth/me", CancellationToken);

        await response.ReadProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
        // Which check failed ("the issuer 'x' is invalid") is for the log, not for whoever is crafting tokens.
        Assert.Equal("Bearer error=\"invalid_token\"", response.Headers.WwwAuthenticate.ToString());
    }

    private async Task<(ApiFactory Api, TokenOptions Options)> StartAsync()
    {
        var api = await shared.GetAsync();
        return (api, api.Services.GetRequiredService<IOptions<TokenOptions>>().Value);
    }

    private static async Task<string> ForgeAsync(ApiFactory api, TokenOptions options, string attack)
    {
        using var signingKey = HandMadeJwt.ImportKey(api.SigningKeyPem);
        var es256 = await HeaderAsync(api, "ES256");
        var claims = Claims(options);
        var publicKeyDer = signingKey.ExportSubjectPublicKeyInfo();

        switch (attack)
        {
            case "alg none, empty signature":
                return HandMadeJwt.SigningInput(await HeaderAsync(api, "none"), claims) + ".";
            case "alg None, empty signature":
                return HandMadeJwt.SigningInput(await HeaderAsync(api, "None"), claims) + ".";
            case "alg NONE, empty signature":
                return HandMadeJwt.SigningInput(await HeaderAsync(api, "NONE"), claims) + ".";
            case "alg none, real signature kept":
                {
                    var real = HandMadeJwt.SignEs256(es256, claims, signingKey).Split('.')[2];
                    return $"{HandMadeJwt.SigningInput(await HeaderAsync(api, "none"), claims)}.{real}";
                }

            // Key confusion: a verifier that takes the algorithm from the token would use the public key, which anyone
            // can fetch, as the HMAC secret.
            case "HS256 keyed with the public key PEM":
                return HandMadeJwt.SignHs256(await HeaderAsync(api, "HS256"), claims, Encoding.ASCII.GetBytes(PemEncoding.WriteString("PUBLIC KEY", publicKeyDer)));
            case "HS256 keyed with the public key DER":
                return HandMadeJwt.SignHs256(await HeaderAsync(api, "HS256"), claims, publicKeyDer);
            case "HS256 keyed with the published JWKS":
                {
                    using var client = api.CreateAnonymousClient();
                    var jwks = await client.GetByteArrayAsync(new Uri("/.well-known/jwks.json", UriKind.Relative), CancellationToken);
                    return HandMadeJwt.SignHs256(await HeaderAsync(api, "HS256"), claims, jwks);
                }

            case "signed by another P-256 key":
                {
                    using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
                    return HandMadeJwt.SignEs256(es256, claims, other);
                }

            case "expired":
                // Beyond the allowed clock skew.
                return HandMadeJwt.SignEs256(es256, Claims(options, DateTimeOffset.UtcNow - TimeSpan.FromMinutes(15)), signingKey);
            case "not yet valid":
                return HandMadeJwt.SignEs256(es256, Claims(options, DateTimeOffset.UtcNow + TimeSpan.FromMinutes(15)), signingKey);
            case "no expiry":
                claims.Remove("exp");
                return HandMadeJwt.SignEs256(es256, claims, signingKey);
            case "wrong audience":
                claims["aud"] = "another-api";
                return HandMadeJwt.SignEs256(es256, claims, signingKey);
            case "wrong issuer":
                claims["iss"] = "https://attacker.example";
                return HandMadeJwt.SignEs256(es256, claims, signingKey);
            case "tampered payload":
                {
                    // A genuine token whose payload is swapped for one that claims the admin role; the signature is kept.
                    var genuine = HandMadeJwt.SignEs256(es256, claims, signingKey).Split('.');
                    claims["role"] = "admin";
                    return $"{genuine[0]}.{HandMadeJwt.Segment(claims)}.{genuine[2]}";
                }

            default:
                throw new ArgumentOutOfRangeException(nameof(attack), attack, "Unknown attack.");
        }
    }

    /// <summary>A header naming the app's key id, so that the key lookup itself is no obstacle to the forgery.</summary>
    private static async Task<Dictionary<string, object>> HeaderAsync(ApiFactory api, string algorithm) => new()
    {
        ["alg"] = algorithm,
        ["typ"] = "JWT",
        ["kid"] = (await PublishedKeyAsync(api)).GetProperty("kid").GetString()!,
    };

    private static Dictionary<string, object> Claims(TokenOptions options, DateTimeOffset? issuedAt = null)
    {
        var now = issuedAt ?? DateTimeOffset.UtcNow;
        return new Dictionary<string, object>
        {
            ["iss"] = options.Issuer,
            ["aud"] = options.Audience,
            ["sub"] = "user-42",
            ["name"] = "mallory@example.test",
            ["role"] = "reader",
            ["amr"] = "pwd",
            ["jti"] = Guid.NewGuid().ToString("N"),
            ["iat"] = now.ToUnixTimeSeconds(),
            ["nbf"] = now.ToUnixTimeSeconds(),
            ["exp"] = (now + TimeSpan.FromMinutes(5)).ToUnixTimeSeconds(),
        };
    }

    private static async Task<JsonElement> PublishedKeyAsync(ApiFactory api)
    {
        using var client = api.CreateAnonymousClient();
        var jwks = await client.GetFromJsonAsync<JsonElement>("/.well-known/jwks.json", CancellationToken);
        return Assert.Single(jwks.GetProperty("keys").EnumerateArray());
    }

    private static byte[] Base64UrlDecode(string value) => System.Buffers.Text.Base64Url.DecodeFromChars(value);

    /// <summary>One app for the whole class, started by the first test that needs it (so a missing database skips).</summary>
    public sealed class SharedApi(TestEnvironment environment) : IAsyncDisposable
    {
        private ApiFactory? _api;

        public async Task<ApiFactory> GetAsync() => _api ??= await ApiFactory.StartAsync(environment);

        public async ValueTask DisposeAsync()
        {
            if (_api is not null)
            {
                await _api.DisposeAsync();
            }
        }
    }
}
