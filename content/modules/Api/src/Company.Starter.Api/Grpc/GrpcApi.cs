namespace Company.Starter.Api.Grpc;

/// <summary>The gRPC surface over the catalogue (STUB: being implemented).</summary>
public static class GrpcApi
{
    public static TBuilder AddGrpcApi<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddGrpc();
        return builder;
    }

    public static IEndpointRouteBuilder MapGrpcApi(this IEndpointRouteBuilder endpoints) => endpoints;
}
