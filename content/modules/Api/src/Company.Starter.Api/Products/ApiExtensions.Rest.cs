using Company.Starter.Api.Http;
using Company.Starter.Api.Products;
using Company.Starter.Api.Sales;

namespace Microsoft.Extensions.Hosting;

/// <summary>REST (minimal APIs with OpenAPI): present when the solution was generated with the rest protocol.</summary>
public static partial class ApiExtensions
{
    static partial void AddRest(IHostApplicationBuilder builder) =>
        // Generated serialization code first; any other type falls back to the default reflection-based resolver.
        builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, ApiJsonContext.Default));

    static partial void MapRest(WebApplication app)
    {
        app.MapProductEndpoints();
        app.MapSalesEndpoints();
    }
}
