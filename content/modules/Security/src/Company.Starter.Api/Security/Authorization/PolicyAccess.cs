using System.Security.Claims;
using Company.Starter.Api.Http;
using Company.Starter.Api.Http.Access;
using Company.Starter.Api.Security.Tokens;
using Company.Starter.Data.Products;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Company.Starter.Api.Security.Authorization;

/// <summary>
/// The security module's answer to the access the API declares (<see cref="EndpointAccess"/>): authentication and
/// authorization middleware, a policy per access level on each endpoint (with its 401 and 403 in the OpenAPI document),
/// and the owner-or-admin rule for products.
/// </summary>
public sealed class PolicyAccess(IAuthorizationService authorization) : IEndpointAccess, IProductAccess
{
    private const string ProblemJson = "application/problem+json";

    public void UseAccessControl(IApplicationBuilder app)
    {
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();
    }

    public void Require(EndpointBuilder endpoint, EndpointAccess access)
    {
        if (Policy(access) is not { } policy)
        {
            return;
        }

        endpoint.Metadata.Add(new AuthorizeAttribute(policy));
        endpoint.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status401Unauthorized, typeof(ProblemDetails), [ProblemJson]));
        // A catalogue writer is any signed-in user: only the other levels can refuse one who is signed in.
        if (access != EndpointAccess.CatalogWriter)
        {
            endpoint.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status403Forbidden, typeof(ProblemDetails), [ProblemJson]));
        }
    }

    public async Task<AccessDecision> CheckAsync(ClaimsPrincipal user, EndpointAccess access)
    {
        if (Policy(access) is not { } policy)
        {
            return AccessDecision.Allowed;
        }

        if (user.Identity?.IsAuthenticated != true)
        {
            return AccessDecision.SignInRequired;
        }

        return (await authorization.AuthorizeAsync(user, policy)).Succeeded ? AccessDecision.Allowed : AccessDecision.Forbidden;
    }

    public string? OwnerOf(ClaimsPrincipal creator) => creator.UserId();

    public async Task<bool> MayChangeAsync(ClaimsPrincipal user, Product product) =>
        (await authorization.AuthorizeAsync(user, product, Policies.ProductOwner)).Succeeded;

    /// <summary>
    /// The policy an endpoint with <paramref name="access"/> requires; none for public ones. A product's owner is only
    /// known with the product, so the route admits any catalogue writer and the operation asks <see cref="MayChangeAsync"/>.
    /// </summary>
    private static string? Policy(EndpointAccess access) => access switch
    {
        EndpointAccess.Public => null,
        EndpointAccess.CatalogWriter or EndpointAccess.ProductOwner => Policies.CatalogWriter,
        EndpointAccess.Admin => Policies.Admin,
        _ => throw new ArgumentOutOfRangeException(nameof(access), access, "An access level without a policy."),
    };
}

public static class PolicyAccessExtensions
{
    /// <summary>Replaces the API's open access with these rules; lets the configured frontend send the token cookies.</summary>
    public static IServiceCollection AddPolicyAccess(this IServiceCollection services)
    {
        // Transient, as IAuthorizationService is: the endpoints are built with the application's services, requests use theirs.
        services.Replace(ServiceDescriptor.Transient<IEndpointAccess, PolicyAccess>());
        services.Replace(ServiceDescriptor.Transient<IProductAccess, PolicyAccess>());
        services.AddSingleton<IAuthorizationHandler, ProductOwnerHandler>();

        // The configured frontend may send the token cookies (same-site origins only: they are SameSite=Strict).
        services.PostConfigure<CorsOptions>(cors =>
        {
            if (cors.GetPolicy(ApiConventions.FrontendCorsPolicy) is { } frontend)
            {
                frontend.SupportsCredentials = true;
            }
        });
        return services;
    }
}
