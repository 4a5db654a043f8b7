namespace Company.Starter.Data.Products;

/// <summary>The fields a client may set on a product; validated at the HTTP edge before they reach here.</summary>
/// <remarks>
/// <paramref name="OwnerId"/> is set on creation only (by the caller's identity, where the solution has users); an
/// update never changes who owns a product.
/// </remarks>
public sealed record ProductInput(string Sku, string Name, decimal Price, string? OwnerId = null);
