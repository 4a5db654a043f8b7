namespace Company.Starter.Data.Products;

/// <summary>The fields a client may set on a product; validated at the HTTP edge before they reach here.</summary>
public sealed record ProductInput(string Sku, string Name, decimal Price);
