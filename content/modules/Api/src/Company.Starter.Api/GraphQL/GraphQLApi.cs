namespace Company.Starter.Api.GraphQL;

/// <summary>The GraphQL surface over the catalogue (STUB: being implemented).</summary>
public static class GraphQLApi
{
    public static TBuilder AddGraphQLApi<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder => builder;

    public static IEndpointRouteBuilder MapGraphQLApi(this IEndpointRouteBuilder endpoints) => endpoints;
}
