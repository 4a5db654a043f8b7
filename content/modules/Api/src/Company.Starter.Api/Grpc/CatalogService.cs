using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Text.Json;
using Company.Starter.Api.Http;
using Company.Starter.Api.Http.Access;
using Company.Starter.Api.Products;
using Company.Starter.Data.Products;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using ProductEntity = Company.Starter.Data.Products.Product;

namespace Company.Starter.Api.Grpc;

/// <summary>
/// The catalogue over gRPC (and, transcoded, JSON under <c>/grpc/v1/</c>): the same <see cref="ProductCatalog"/>, rules
/// and paging cursor as the REST endpoints. Expected failures answer with a status here or in
/// <see cref="GrpcExceptionInterceptor"/>; see catalog.proto for the codes.
/// </summary>
public sealed class CatalogService(ProductCatalog catalog, IProductAccess access) : Catalog.CatalogBase
{
    /// <summary>The page size when the request leaves <c>page_size</c> at 0, as the REST list's default limit.</summary>
    public const int DefaultPageSize = 20;

    /// <summary>
    /// Prices go out with at least two decimals and no more than they have ("19.90", "5.00", "0.125"), whatever
    /// scale the database hands back (PostgreSQL keeps the column's, SQLite drops trailing zeros).
    /// </summary>
    private const string PriceFormat = "0.00##########################";

    public override async Task<Product> GetProduct(GetProductRequest request, ServerCallContext context)
    {
        var product = await catalog.FindAsync(request.Id, context.CancellationToken);
        return product is null ? throw GrpcErrors.ProductNotFound(request.Id) : ToMessage(product);
    }

    /// <summary>
    /// Pages as AIP-158 asks: <c>page_size</c> 0 is the default and one above the maximum is the maximum (REST, by
    /// contrast, rejects such a <c>limit</c>); a negative one is INVALID_ARGUMENT.
    /// </summary>
    public override async Task<ListProductsResponse> ListProducts(ListProductsRequest request, ServerCallContext context)
    {
        if (request.PageSize < 0)
        {
            throw GrpcErrors.InvalidArgument([Violation("page_size", "The page size must not be negative.")]);
        }

        var pageSize = request.PageSize == 0 ? DefaultPageSize : Math.Min(request.PageSize, ProductCatalog.MaxPageSize);
        var page = await catalog.ListAsync(
            pageSize,
            string.IsNullOrEmpty(request.PageToken) ? null : request.PageToken,
            context.CancellationToken);

        return new ListProductsResponse
        {
            Products = { page.Items.Select(ToMessage) },
            NextPageToken = page.NextCursor ?? string.Empty,
        };
    }

    // The same rules as REST: catalogue writers create, the owner (or an admin) updates, admins delete. GrpcApi maps
    // the declared access onto each method's endpoints (transcoded ones included).
    [RequiresAccess(EndpointAccess.CatalogWriter)]
    [OutputCaching.Evicts(OutputCaching.Products)]
    public override async Task<Product> CreateProduct(CreateProductRequest request, ServerCallContext context)
    {
        var input = Validate(new ProductRequest { Sku = request.Sku, Name = request.Name, Price = ParsePrice(request.Price) }, request.Price);
        return ToMessage(await catalog.CreateAsync(input.ToInput() with { OwnerId = access.OwnerOf(context.GetHttpContext().User) }, context.CancellationToken));
    }

    [RequiresAccess(EndpointAccess.ProductOwner)]
    [OutputCaching.Evicts(OutputCaching.Products)]
    public override async Task<Product> UpdateProduct(UpdateProductRequest request, ServerCallContext context)
    {
        var input = Validate(
            new ProductUpdateRequest { Sku = request.Sku, Name = request.Name, Price = ParsePrice(request.Price), Version = request.Version },
            request.Price);
        var current = await catalog.FindAsync(request.Id, context.CancellationToken) ?? throw GrpcErrors.ProductNotFound(request.Id);
        if (!await access.MayChangeAsync(context.GetHttpContext().User, current))
        {
            throw new RpcException(new global::Grpc.Core.Status(StatusCode.PermissionDenied, "Only the product's owner or an admin may change it."));
        }

        var product = await catalog.UpdateAsync(request.Id, input.ToInput(), input.Version!.Value, context.CancellationToken);
        return product is null ? throw GrpcErrors.ProductNotFound(request.Id) : ToMessage(product);
    }

    [RequiresAccess(EndpointAccess.Admin)]
    [OutputCaching.Evicts(OutputCaching.Products)]
    public override async Task<Empty> DeleteProduct(DeleteProductRequest request, ServerCallContext context) =>
        await catalog.DeleteAsync(request.Id, context.CancellationToken) ? new Empty() : throw GrpcErrors.ProductNotFound(request.Id);

    /// <summary>
    /// Checks a request with the DataAnnotations of the REST request types, so both APIs accept exactly the same
    /// products; throws INVALID_ARGUMENT naming every offending field by its proto name.
    /// </summary>
    private static T Validate<T>(T request, string price) where T : ProductRequest
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(request, new ValidationContext(request), results, validateAllProperties: true);

        var violations = results
            .SelectMany(result => result.MemberNames.DefaultIfEmpty(string.Empty), (result, member) => Violation(FieldName(member), result.ErrorMessage ?? "The value is invalid."))
            .ToList();

        // A price that is there but is no number must say so, not that it is "required".
        if (request.Price is null && !string.IsNullOrWhiteSpace(price))
        {
            violations.RemoveAll(violation => violation.Field == "price");
            violations.Add(Violation("price", "The price must be a decimal number such as 19.90."));
        }

        return violations.Count == 0 ? request : throw GrpcErrors.InvalidArgument(violations);
    }

    /// <summary>Digits with an optional point and sign ("19.90"): decimal.TryParse alone would read "1\0" or "+1" as 1.</summary>
    private static decimal? ParsePrice(string price) => StrictText.TryParseDecimal(price, out var value) ? value : null;

    /// <summary>The proto field name of a C# member: <c>Sku</c> → <c>sku</c>.</summary>
    private static string FieldName(string member) => JsonNamingPolicy.SnakeCaseLower.ConvertName(member);

    private static BadRequest.Types.FieldViolation Violation(string field, string description) =>
        new() { Field = field, Description = description };

    private static Product ToMessage(ProductEntity product) => new()
    {
        Id = product.Id,
        Sku = product.Sku,
        Name = product.Name,
        Price = product.Price.ToString(PriceFormat, CultureInfo.InvariantCulture),
        Version = product.Version,
        CreatedAt = Timestamp.FromDateTime(DateTime.SpecifyKind(product.CreatedAt, DateTimeKind.Utc)),
        UpdatedAt = Timestamp.FromDateTime(DateTime.SpecifyKind(product.UpdatedAt, DateTimeKind.Utc)),
    };
}
