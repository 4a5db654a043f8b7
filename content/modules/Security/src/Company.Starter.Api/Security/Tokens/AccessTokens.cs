using System.Security.Claims;
using Company.Starter.Data.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Company.Starter.Api.Security.Tokens;

/// <summary>Issues ES256-signed access tokens (JWT) and defines how they are validated.</summary>
public sealed class AccessTokens(SigningKey signingKey, IOptions<TokenOptions> options, TimeProvider clock)
{
    public const string RoleClaim = "role";
    public const string NameClaim = "name";
    public const string AuthenticationMethodClaim = "amr";

    private static readonly JsonWebTokenHandler Handler = new() { SetDefaultTimesOnTokenCreation = false };

    public (string Token, DateTimeOffset ExpiresAt) Issue(string userId, string? userName, IEnumerable<string> roles, string method)
    {
        var now = clock.GetUtcNow();
        var expires = now + options.Value.AccessTokenLifetime;
        var claims = new List<Claim>
        {
            new(JwtRegisteredClaimNames.Sub, userId),
            new(JwtRegisteredClaimNames.Jti, Guid.NewGuid().ToString("N")),
            new(AuthenticationMethodClaim, method),
        };
        if (userName is not null)
        {
            claims.Add(new Claim(NameClaim, userName));
        }

        claims.AddRange(roles.Select(role => new Claim(RoleClaim, role)));

        var token = Handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = options.Value.Issuer,
            Audience = options.Value.Audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = expires.UtcDateTime,
            Subject = new ClaimsIdentity(claims),
            SigningCredentials = signingKey.Credentials,
        });
        return (token, expires);
    }

    /// <summary>
    /// What a token must satisfy: our issuer and audience, an unexpired lifetime, and a signature by our key with
    /// ES256 and nothing else (so <c>alg: none</c> and HS256-signed-with-the-public-key tokens are refused).
    /// </summary>
    public static TokenValidationParameters ValidationParameters(SigningKey signingKey, TokenOptions options) => new()
    {
        ValidIssuer = options.Issuer,
        ValidAudience = options.Audience,
        IssuerSigningKey = signingKey.Key,
        ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
        ValidateIssuer = true,
        ValidateAudience = true,
        ValidateLifetime = true,
        ValidateIssuerSigningKey = true,
        RequireExpirationTime = true,
        RequireSignedTokens = true,
        ClockSkew = options.ClockSkew,
        NameClaimType = NameClaim,
        RoleClaimType = RoleClaim,
    };
}

/// <summary>Reads who a validated principal is.</summary>
public static class PrincipalExtensions
{
    public static string? UserId(this ClaimsPrincipal principal) => principal.FindFirstValue(JwtRegisteredClaimNames.Sub);
}

/// <summary>Issues the token pair of a sign-in to a user.</summary>
public sealed class TokenIssuer(AccessTokens accessTokens, RefreshTokens refreshTokens, UserManager<AppUser> users)
{
    public async Task<TokenPair> SignInAsync(AppUser user, string method, CancellationToken cancellationToken) =>
        await IssueAsync(user, method, await refreshTokens.StartAsync(user.Id, cancellationToken));

    public async Task<TokenPair> IssueAsync(AppUser user, string method, IssuedRefreshToken refresh)
    {
        var roles = await users.GetRolesAsync(user);
        var (access, expiresAt) = accessTokens.Issue(user.Id, user.UserName, roles, method);
        return new TokenPair(access, expiresAt, refresh.Token, refresh.ExpiresAt);
    }
}

public sealed record TokenPair(string AccessToken, DateTimeOffset AccessTokenExpiresAt, string RefreshToken, DateTimeOffset RefreshTokenExpiresAt);
