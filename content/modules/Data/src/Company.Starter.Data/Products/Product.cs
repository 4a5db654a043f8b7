namespace Company.Starter.Data.Products;

/// <summary>A catalogue row: the kind of entity a data table pages, sorts and edits.</summary>
public sealed class Product : IVersioned
{
    /// <summary>The digits the price column keeps in all (<c>numeric(18, 2)</c>)...</summary>
    public const int PricePrecision = 18;

    /// <summary>...and after the decimal point: a price with more would be rounded on the way in, so it is refused.</summary>
    public const int PriceScale = 2;

    public long Id { get; set; }

    /// <summary>Stock-keeping unit, unique across the catalogue.</summary>
    public required string Sku { get; set; }

    public required string Name { get; set; }

    public decimal Price { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime UpdatedAt { get; set; }

    public long Version { get; set; }

    /// <summary>
    /// The id of the user who created the product: the resource owner that the update policy checks. Null when the
    /// product was created anonymously (always, in a solution without user accounts). The column is part of this
    /// module's model whatever the auth option, so that one migration chain describes the products table.
    /// </summary>
    public string? OwnerId { get; set; }
}
