using Google.Protobuf.Reflection;
using Company.Starter.Api.Http.Access;
using Company.Starter.ServiceDefaults;
using Google.Rpc;
using Microsoft.Extensions.Options;

namespace Company.Starter.Api.Grpc;

/// <summary>
/// The gRPC surface over the catalogue: the <see cref="CatalogService"/> (also served as JSON under <c>/grpc/v1/</c>
/// through JSON transcoding), the standard <c>grpc.health.v1.Health</c> service and, in Development, server reflection.
/// </summary>
public static class GrpcApi
{
    /// <summary>
    /// The largest request message accepted (the default is 4 MB). A product is a few hundred bytes; 1 MB leaves
    /// room to grow while a client cannot make the server buffer much.
    /// </summary>
    public const int MaxReceiveMessageBytes = 1024 * 1024;

    /// <summary>The health-check tag of the dependencies the catalogue needs (the database, the cache).</summary>
    private const string ReadyTag = "ready";

    public static TBuilder AddGrpcApi<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddGrpc(grpc =>
        {
            // One place turns domain exceptions into status codes, for every method and for transcoded calls alike.
            grpc.Interceptors.Add<GrpcExceptionInterceptor>();
            grpc.MaxReceiveMessageSize = MaxReceiveMessageBytes;
            // Exception messages of unexpected failures reach the client only where that helps: in Development.
            grpc.EnableDetailedErrors = builder.Environment.IsDevelopment();
        }).AddJsonTranscoding(transcoding =>
            // Transcoded errors carry the same rich details as gRPC ones, as JSON: it must know their types.
            transcoding.TypeRegistry = TypeRegistry.FromMessages(
                ErrorInfo.Descriptor, BadRequest.Descriptor, ResourceInfo.Descriptor, RetryInfo.Descriptor));

        // grpc.health.v1.Health over the app's own health checks (the ones behind /health), run on each Check:
        // "" is the whole server (every check), the Catalog service's name what it depends on (the "ready" checks).
        builder.Services.AddGrpcHealthChecks(health =>
        {
            health.Services.Clear();
            health.Services.Map(string.Empty, _ => true);
            health.Services.Map(Catalog.Descriptor.FullName, check => check.Tags.Contains(ReadyTag));
        });

        // Reflection lets tools (grpcurl, Postman, grpcui) discover the services without the .proto files. It is
        // registered only in Development, the usual guidance: in production it would describe the whole surface to
        // anyone who asks, and clients there build from the published .proto instead.
        if (builder.Environment.IsDevelopment())
        {
            builder.Services.AddGrpcReflection();
        }

        return builder;
    }

    public static IEndpointRouteBuilder MapGrpcApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGrpcService<CatalogService>().WithStrictTranscodedIntegers().WithDeclaredAccess();

        // Like /health: only on the management host when one is configured.
        var health = endpoints.MapGrpcHealthChecksService();
        if (endpoints.ServiceProvider.GetRequiredService<IOptions<ObservabilityOptions>>().Value.ManagementHost is { Length: > 0 } managementHost)
        {
            health.RequireHost(managementHost);
        }

        if (endpoints.ServiceProvider.GetRequiredService<IHostEnvironment>().IsDevelopment())
        {
            endpoints.MapGrpcReflectionService();
        }

        return endpoints;
    }
}
