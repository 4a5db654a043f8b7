using GraphQL;
using GraphQL.Execution;
using GraphQL.SystemTextJson;
using GraphQL.Validation;
using GraphQLParser.AST;

namespace Company.Starter.Api.GraphQL;

/// <summary>
/// The GraphQL surface over the catalogue: a code-first schema (<see cref="CatalogSchema"/>), batched loading of
/// nested sales (<see cref="SalesLoader"/>), depth/complexity/size limits and
/// introspection in Development only (<see cref="GraphQLLimits"/>, <see cref="GraphQLCost"/>), and one
/// endpoint, <c>/graphql</c>, that speaks GraphQL over HTTP (<see cref="GraphQLHttpEndpoint"/>).
/// </summary>
public static class GraphQLApi
{
    public const string Path = "/graphql";

    public static TBuilder AddGraphQLApi<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        var services = builder.Services;
        services.AddOptions<GraphQLLimits>()
            .BindConfiguration(GraphQLLimits.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        // The schema and its types are built once per process; resolvers reach the request's services
        // (DbContext, ProductCatalog, SalesLoader) through IResolveFieldContext.RequestServices.
        services.AddSingleton<CatalogSchema>();
        services.AddSingleton<GraphQLCost>();
        services.AddTransient<CatalogQuery>();
        services.AddTransient<CatalogMutation>();
        services.AddTransient<ProductType>();
        services.AddTransient<SaleType>();
        services.AddTransient<ProductConnectionType>();
        services.AddTransient<ProductEdgeType>();
        services.AddTransient<PageInfoType>();
        services.AddTransient<ProductInputType>();
        services.AddScoped<SalesLoader>();

        // Queries run serially as well as mutations: the request's resolvers share one DbContext, which allows one
        // command at a time. Batching does not suffer: data-loader results are still collected level by level.
        services.AddSingleton<IDocumentExecuter>(new DocumentExecuter(
            new GraphQLDocumentBuilder(),
            new DocumentValidator(),
            new DefaultExecutionStrategySelector(
            [
                new ExecutionStrategyRegistration(SerialExecutionStrategy.Instance, OperationType.Query),
                new ExecutionStrategyRegistration(SerialExecutionStrategy.Instance, OperationType.Mutation),
            ]),
            []));
        services.AddSingleton<IGraphQLTextSerializer>(new GraphQLSerializer(new CodedErrorInfoProvider()));

        return builder;
    }

    public static IEndpointRouteBuilder MapGraphQLApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapMethods(Path, [HttpMethods.Get, HttpMethods.Post], GraphQLHttpEndpoint.HandleAsync)
            .WithTags("GraphQL")
            .WithName("GraphQL");
        return endpoints;
    }
}
