using Company.Starter.Api.GraphQL;

namespace Microsoft.Extensions.Hosting;

/// <summary>GraphQL over HTTP: present when the solution was generated with the graphql protocol.</summary>
public static partial class ApiExtensions
{
    static partial void AddGraphQL(IHostApplicationBuilder builder) => builder.AddGraphQLApi();

    static partial void MapGraphQL(WebApplication app) => app.MapGraphQLApi();
}
