using System.Security.Claims;
using Company.Starter.Data.Products;

namespace Company.Starter.Api.Http.Access;

/// <summary>
/// Resource-based access to products, for every protocol: who owns a product a user adds, and who may change one.
/// The API registers <see cref="OpenAccess"/> (no owners, everyone may change everything); a module that signs users
/// in replaces it.
/// </summary>
public interface IProductAccess
{
    /// <summary>The owner recorded on a product that <paramref name="creator"/> adds; null for none.</summary>
    string? OwnerOf(ClaimsPrincipal creator);

    /// <summary>Whether <paramref name="user"/> may change <paramref name="product"/> (refused: 403, or GraphQL's <c>forbidden</c>).</summary>
    Task<bool> MayChangeAsync(ClaimsPrincipal user, Product product);
}
