using Company.Starter.Api.Security.Tokens;
using Company.Starter.Data.Products;
using Microsoft.AspNetCore.Authorization;

namespace Company.Starter.Api.Security.Authorization;

/// <summary>
/// The authorization rules of the API: a role-based one (<see cref="Admin"/>), one for any signed-in user
/// (<see cref="CatalogWriter"/>) and a resource-based one (<see cref="ProductOwner"/>) that needs the product itself.
/// </summary>
public static class Policies
{
    public const string AdminRole = "admin";

    /// <summary>Members of the <c>admin</c> role.</summary>
    public const string Admin = "admin";

    /// <summary>Any signed-in user may add to the catalogue.</summary>
    public const string CatalogWriter = "catalog-writer";

    /// <summary>The user who created the product, or an admin. Checked with the product: <c>AuthorizeAsync(user, product, ProductOwner)</c>.</summary>
    public const string ProductOwner = "product-owner";

    public static void Add(AuthorizationOptions options)
    {
        options.AddPolicy(Admin, policy => policy.RequireAuthenticatedUser().RequireRole(AdminRole));
        options.AddPolicy(CatalogWriter, policy => policy.RequireAuthenticatedUser());
        options.AddPolicy(ProductOwner, policy => policy.RequireAuthenticatedUser().AddRequirements(new OwnerOrAdminRequirement()));
    }
}

public sealed class OwnerOrAdminRequirement : IAuthorizationRequirement;

/// <summary>Grants <see cref="OwnerOrAdminRequirement"/> to the product's owner and to admins.</summary>
public sealed class ProductOwnerHandler : AuthorizationHandler<OwnerOrAdminRequirement, Product>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, OwnerOrAdminRequirement requirement, Product resource)
    {
        var userId = context.User.UserId();
        if (context.User.IsInRole(Policies.AdminRole) || (userId is not null && string.Equals(resource.OwnerId, userId, StringComparison.Ordinal)))
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}
