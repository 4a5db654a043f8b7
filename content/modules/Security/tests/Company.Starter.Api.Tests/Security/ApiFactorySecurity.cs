using System.Net.Http.Headers;
using Company.Starter.Api.Security.Authorization;
using Company.Starter.Api.Security.Tokens;
using Company.Starter.Api.Tests.Security;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Company.Starter.Api.Tests;

/// <summary>What the security module adds to every test app: its keys, and clients that act as an admin.</summary>
public sealed partial class ApiFactory
{
    /// <summary>The user id of the admin whose token <see cref="WebApplicationFactory{TEntryPoint}.CreateClient()"/> clients carry.</summary>
    public const string AdminUserId = "test-admin";

    private string? _adminToken;

    /// <summary>The ES256 key this app signs tokens with: a new one per app, as <c>keys generate</c> makes them.</summary>
    public string SigningKeyPem { get; } = SigningKey.Generate();

    /// <summary>An access token the app itself issued, for a user id (no account needed) with the given roles.</summary>
    public string IssueToken(string userId, params string[] roles) =>
        Services.GetRequiredService<AccessTokens>().Issue(userId, $"{userId}@example.test", roles, "test").Token;

    /// <summary>
    /// Settings every test app gets: its own signing key, the key ring certificate Production requires, and an auth rate
    /// limit high enough for a test class's sign-ins (the rate limit and lockout tests set their own).
    /// </summary>
    partial void AddModuleSettings(List<KeyValuePair<string, string?>> settings) => settings.AddRange(
    [
        new("Security:Tokens:SigningKey", SigningKeyPem),
        new("Security:KeyRing:Certificate", KeyRingCertificates.Shared),
        new("Security:Passwords:AttemptsPerWindow", "10000"),
    ]);

    /// <summary>
    /// Clients act as an admin (a bearer token issued by the app itself), so the catalogue tests exercise the API rather
    /// than its guards. The security tests make their own clients with <see cref="CreateAnonymousClient"/>.
    /// </summary>
    partial void AddDefaultHeaders(HttpRequestHeaders headers) =>
        headers.Authorization = new AuthenticationHeaderValue("Bearer", _adminToken ??= IssueToken(AdminUserId, Policies.AdminRole));
}
