namespace Company.Starter.Data.Products;

/// <summary>The fields a client may set on a product; validated at the HTTP edge before they reach here.</summary>
#if (UseAuth)
/// <remarks><paramref name="OwnerId"/> is set on creation only; an update never changes who owns a product.</remarks>
public sealed record ProductInput(string Sku, string Name, decimal Price, string? OwnerId = null);
#else
public sealed record ProductInput(string Sku, string Name, decimal Price);
#endif
