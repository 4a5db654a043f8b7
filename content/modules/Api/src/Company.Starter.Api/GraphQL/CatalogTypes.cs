using System.Globalization;
using Company.Starter.Api.Http;
using Company.Starter.Api.Products;
using Company.Starter.Data.Paging;
using Company.Starter.Data.Products;
using Company.Starter.Data.Sales;
using GraphQL;
using GraphQL.Types;

namespace Company.Starter.Api.GraphQL;

/// <summary>IDs go out as strings, as the GraphQL spec serializes <c>ID</c>, and come back as strings or numbers.</summary>
internal static class Ids
{
    public static string Format(long id) => id.ToString(CultureInfo.InvariantCulture);

    // Strictly (see StrictText): long.TryParse alone reads "1\0" and " 1" as 1, so they would name product 1.
    public static long Parse(IResolveFieldContext context, string argument = "id") =>
        StrictText.TryParseInt64(context.GetArgument<string>(argument), out var id) && id > 0
            ? id
            : throw GraphQLErrors.InvalidArgument(argument, $"The {argument} must be a positive whole number.");

    public static DateTime Utc(DateTime value) => DateTime.SpecifyKind(value, DateTimeKind.Utc);
}

public sealed class ProductType : ObjectGraphType<Product>
{
    public const int DefaultSales = 10;
    public const int MaxSales = 100;

    public ProductType()
    {
        Name = "Product";
        Description = "A catalogue entry. Send `version` back with an update: a stale one is refused (concurrency_conflict).";

        Field<NonNullGraphType<IdGraphType>>("id").Resolve(context => Ids.Format(context.Source.Id));
        Field<NonNullGraphType<StringGraphType>>("sku").Resolve(context => context.Source.Sku);
        Field<NonNullGraphType<StringGraphType>>("name").Resolve(context => context.Source.Name);
        Field<NonNullGraphType<DecimalGraphType>>("price").Resolve(context => context.Source.Price);
        Field<NonNullGraphType<LongGraphType>>("version").Resolve(context => context.Source.Version);
        Field<NonNullGraphType<DateTimeGraphType>>("createdAt").Resolve(context => Ids.Utc(context.Source.CreatedAt));
        Field<NonNullGraphType<DateTimeGraphType>>("updatedAt").Resolve(context => Ids.Utc(context.Source.UpdatedAt));

        Field<NonNullGraphType<ListGraphType<NonNullGraphType<SaleType>>>>("sales")
            .Description($"The product's latest `last` sales (default {DefaultSales}, at most {MaxSales}), oldest first. Batched: one query per page of products.")
            .Argument<IntGraphType>("last", argument => argument.DefaultValue = DefaultSales)
            .Resolve(context =>
            {
                var last = context.GetArgument("last", DefaultSales);
                if (last is < 1 or > MaxSales)
                {
                    throw GraphQLErrors.InvalidArgument("last", $"The last argument must be between 1 and {MaxSales}.");
                }

                return context.RequestServices!.GetRequiredService<SalesLoader>().Load(context.Source.Id, last);
            });
    }
}

public sealed class SaleType : ObjectGraphType<Sale>
{
    public SaleType()
    {
        Name = "Sale";
        Field<NonNullGraphType<IdGraphType>>("id").Resolve(context => Ids.Format(context.Source.Id));
        Field<NonNullGraphType<IdGraphType>>("productId").Resolve(context => Ids.Format(context.Source.ProductId));
        Field<NonNullGraphType<IntGraphType>>("quantity").Resolve(context => context.Source.Quantity);
        Field<NonNullGraphType<DecimalGraphType>>("unitPrice").Resolve(context => context.Source.UnitPrice);
        Field<NonNullGraphType<DateTimeGraphType>>("occurredAt").Resolve(context => Ids.Utc(context.Source.OccurredAt));
    }
}

/// <summary>
/// A page of products in the Relay connection shape, over <see cref="ProductCatalog.ListAsync"/>'s keyset pages: each
/// edge's cursor is the catalogue's own opaque cursor for "after this product", so any edge can resume the list.
/// </summary>
public sealed class ProductConnectionType : ObjectGraphType<Page<Product>>
{
    public ProductConnectionType()
    {
        Name = "ProductConnection";
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<ProductEdgeType>>>>("edges")
            .Resolve(context => context.Source.Items);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<ProductType>>>>("nodes")
            .Resolve(context => context.Source.Items);
        Field<NonNullGraphType<PageInfoType>>("pageInfo").Resolve(context => context.Source);
    }

    public static string CursorOf(Product product) => new KeysetCursor<string>(product.Name, product.Id).Encode();
}

public sealed class ProductEdgeType : ObjectGraphType<Product>
{
    public ProductEdgeType()
    {
        Name = "ProductEdge";
        Field<NonNullGraphType<StringGraphType>>("cursor").Resolve(context => ProductConnectionType.CursorOf(context.Source));
        Field<NonNullGraphType<ProductType>>("node").Resolve(context => context.Source);
    }
}

public sealed class PageInfoType : ObjectGraphType<Page<Product>>
{
    public PageInfoType()
    {
        Name = "PageInfo";
        Field<NonNullGraphType<BooleanGraphType>>("hasNextPage").Resolve(context => context.Source.NextCursor is not null);
        Field<StringGraphType>("endCursor")
            .Description("The cursor of the last edge; pass it as `after` for the next page. Null on an empty page.")
            .Resolve(context => context.Source.Items.Count == 0 ? null : ProductConnectionType.CursorOf(context.Source.Items[^1]));
    }
}

/// <summary>The fields of a product; checked with the same DataAnnotations rules as the REST body (<see cref="ProductRequest"/>).</summary>
public sealed class ProductInputType : InputObjectGraphType<ProductRequest>
{
    public ProductInputType()
    {
        Name = "ProductInput";
        Field<NonNullGraphType<StringGraphType>>("sku");
        Field<NonNullGraphType<StringGraphType>>("name");
        Field<NonNullGraphType<DecimalGraphType>>("price");
    }

    public override object ParseDictionary(IDictionary<string, object?> value) => new ProductRequest
    {
        Sku = value.TryGetValue("sku", out var sku) ? sku as string : null,
        Name = value.TryGetValue("name", out var name) ? name as string : null,
        Price = value.TryGetValue("price", out var price) && price is not null ? Convert.ToDecimal(price, CultureInfo.InvariantCulture) : null,
    };
}
