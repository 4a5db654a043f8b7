using System.Security.Claims;
using Company.Starter.Data.Products;

namespace Company.Starter.Api.Http.Access;

/// <summary>
/// Access where the app has no users: every operation is open to everyone and products have no owner. It adds no
/// authorization metadata to endpoints: the endpoint middleware refuses to run an endpoint that has some when no
/// authorization middleware ran.
/// </summary>
public sealed class OpenAccess : IEndpointAccess, IProductAccess
{
    public void UseAccessControl(IApplicationBuilder app)
    {
    }

    public void Require(EndpointBuilder endpoint, EndpointAccess access)
    {
    }

    public Task<AccessDecision> CheckAsync(ClaimsPrincipal user, EndpointAccess access) => Task.FromResult(AccessDecision.Allowed);

    public string? OwnerOf(ClaimsPrincipal creator) => null;

    public Task<bool> MayChangeAsync(ClaimsPrincipal user, Product product) => Task.FromResult(true);
}
