using System.Security.Claims;

namespace Company.Starter.Api.Http.Access;

/// <summary>
/// How the access an operation declares (<see cref="EndpointAccess"/>) is enforced. The API registers
/// <see cref="OpenAccess"/>, which lets everyone through; a module that signs users in replaces it.
/// </summary>
public interface IEndpointAccess
{
    /// <summary>
    /// Adds the middleware that finds out who the caller is and enforces what endpoints require. It runs after CORS
    /// and before the rate limiter and the output cache, so that both see the caller.
    /// </summary>
    void UseAccessControl(IApplicationBuilder app);

    /// <summary>Makes <paramref name="endpoint"/> require <paramref name="access"/>, and documents the answers it adds (401, 403).</summary>
    void Require(EndpointBuilder endpoint, EndpointAccess access);

    /// <summary>For operations that share one endpoint (GraphQL's fields): whether <paramref name="user"/> has <paramref name="access"/>.</summary>
    Task<AccessDecision> CheckAsync(ClaimsPrincipal user, EndpointAccess access);
}
