using Company.Starter.Api.Http;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The API module as the host composes it: the HTTP contract every endpoint shares (Http/ApiConventions.cs), then the
/// protocols the solution was generated with. Each protocol plugs in through the partial methods below, implemented in
/// a file of its own folder (Products/ApiExtensions.Rest.cs, Grpc/ApiExtensions.Grpc.cs, GraphQL/ApiExtensions.GraphQL.cs);
/// where the template left a protocol out, its file is absent and the compiler drops the call.
/// </summary>
public static partial class ApiExtensions
{
    public static TBuilder AddApi<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.AddApiConventions();
        AddRest(builder);
        AddGrpc(builder);
        AddGraphQL(builder);
        return builder;
    }

    /// <summary>Maps the endpoints of every protocol the app serves.</summary>
    public static WebApplication MapApi(this WebApplication app)
    {
        MapRest(app);
        MapGrpc(app);
        MapGraphQL(app);
        return app;
    }

    static partial void AddRest(IHostApplicationBuilder builder);

    static partial void MapRest(WebApplication app);

    static partial void AddGrpc(IHostApplicationBuilder builder);

    static partial void MapGrpc(WebApplication app);

    static partial void AddGraphQL(IHostApplicationBuilder builder);

    static partial void MapGraphQL(WebApplication app);
}
