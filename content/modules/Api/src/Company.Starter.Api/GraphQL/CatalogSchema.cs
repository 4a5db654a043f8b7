using Company.Starter.Api.Http;
using Company.Starter.Api.Http.Access;
using Company.Starter.Api.Products;
using Company.Starter.Data.Products;
using GraphQL;
using GraphQL.Types;

namespace Company.Starter.Api.GraphQL;

/// <summary>The catalogue as a GraphQL schema (code-first). One instance per process; resolvers use the request's services.</summary>
public sealed class CatalogSchema : Schema
{
    public CatalogSchema(IServiceProvider services)
        : base(services)
    {
        Query = services.GetRequiredService<CatalogQuery>();
        Mutation = services.GetRequiredService<CatalogMutation>();
    }
}

public sealed class CatalogQuery : ObjectGraphType
{
    public const int DefaultPageSize = 20;

    public CatalogQuery()
    {
        Name = "Query";

        Field<ProductType>("product")
            .Description("A product by id; null when there is none.")
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .ResolveAsync(async context =>
                await context.RequestServices!.GetRequiredService<ProductCatalog>().FindAsync(Ids.Parse(context), context.CancellationToken));

        Field<NonNullGraphType<ProductConnectionType>>("products")
            .Description($"Products by name, `first` at a time (1 to {ProductCatalog.MaxPageSize}); pass `pageInfo.endCursor` as `after` to continue.")
            .Argument<IntGraphType>("first", argument => argument.DefaultValue = DefaultPageSize)
            .Argument<StringGraphType>("after")
            .ResolveAsync(async context =>
            {
                var first = context.GetArgument("first", DefaultPageSize);
                if (first is < 1 or > ProductCatalog.MaxPageSize)
                {
                    throw GraphQLErrors.InvalidArgument("first", $"The first argument must be between 1 and {ProductCatalog.MaxPageSize}.");
                }

                return await context.RequestServices!.GetRequiredService<ProductCatalog>()
                    .ListAsync(first, context.GetArgument<string?>("after"), context.CancellationToken);
            });
    }
}

public sealed class CatalogMutation : ObjectGraphType
{
    public CatalogMutation()
    {
        Name = "Mutation";

        Field<NonNullGraphType<ProductType>>("createProduct")
            .Argument<NonNullGraphType<ProductInputType>>("input")
            .ResolveAsync(async context =>
            {
                var request = context.GetArgument<ProductRequest>("input");
                GraphQLErrors.Validate(request);
                // The same rules as REST: catalogue writers create, the owner (or an admin) updates.
                await GraphQLErrors.RequireAccessAsync(context, EndpointAccess.CatalogWriter);
                var owner = context.RequestServices!.GetRequiredService<IProductAccess>().OwnerOf(GraphQLErrors.User(context));
                return await context.RequestServices!.GetRequiredService<ProductCatalog>().CreateAsync(request.ToInput() with { OwnerId = owner }, context.CancellationToken);
            });

        Field<ProductType>("updateProduct")
            .Description("Replaces a product's fields if it is still at `version`; a stale version is refused with concurrency_conflict.")
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .Argument<NonNullGraphType<ProductInputType>>("input")
            .Argument<NonNullGraphType<LongGraphType>>("version")
            .ResolveAsync(async context =>
            {
                var id = Ids.Parse(context);
                var input = context.GetArgument<ProductRequest>("input");
                var request = new ProductUpdateRequest { Sku = input.Sku, Name = input.Name, Price = input.Price, Version = context.GetArgument<long>("version") };
                GraphQLErrors.Validate(request);
                var current = await context.RequestServices!.GetRequiredService<ProductCatalog>().FindAsync(id, context.CancellationToken)
                    ?? throw GraphQLErrors.Error(ProblemCodes.NotFound, $"No product has id {id}.");
                await GraphQLErrors.RequireAccessAsync(context, EndpointAccess.ProductOwner);
                if (!await context.RequestServices!.GetRequiredService<IProductAccess>().MayChangeAsync(GraphQLErrors.User(context), current))
                {
                    throw GraphQLErrors.Forbidden();
                }

                var product = await context.RequestServices!.GetRequiredService<ProductCatalog>()
                    .UpdateAsync(id, request.ToInput(), request.Version!.Value, context.CancellationToken);
                return product ?? throw GraphQLErrors.Error(ProblemCodes.NotFound, $"No product has id {id}.");
            });
    }
}
