using Company.Starter.Api.Grpc;

namespace Microsoft.Extensions.Hosting;

/// <summary>gRPC (with JSON transcoding, health and reflection): present when the solution was generated with the grpc protocol.</summary>
public static partial class ApiExtensions
{
    static partial void AddGrpc(IHostApplicationBuilder builder) => builder.AddGrpcApi();

    static partial void MapGrpc(WebApplication app) => app.MapGrpcApi();
}
