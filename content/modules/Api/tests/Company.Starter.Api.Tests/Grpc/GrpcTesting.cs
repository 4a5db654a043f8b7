using Company.Starter.Api.Grpc;
using Google.Rpc;
using Grpc.Core;
using Grpc.Net.Client;

namespace Company.Starter.Api.Tests.Grpc;

/// <summary>A gRPC channel to the in-memory Api, and readers of the rich error details its failures carry.</summary>
internal static class GrpcTesting
{
    /// <summary>A channel whose calls carry what the HTTP clients of <see cref="ApiFactory"/> carry (an admin's token, where the app has users).</summary>
    public static GrpcChannel CreateChannel(ApiFactory api) =>
        GrpcChannel.ForAddress(api.Server.BaseAddress, new GrpcChannelOptions { HttpHandler = api.CreateHandlerWithDefaultHeaders() });

    /// <summary>Awaits a call that must fail with <paramref name="code"/>; returns its exception.</summary>
    public static async Task<RpcException> AssertFailsAsync(StatusCode code, Func<Task> call)
    {
        var exception = await Assert.ThrowsAsync<RpcException>(call);
        Assert.Equal(code, exception.StatusCode);
        return exception;
    }

    /// <summary>The google.rpc.Status of the grpc-status-details-bin trailer; fails when there is none.</summary>
    public static Google.Rpc.Status Details(RpcException exception)
    {
        // Read from the wire name, not through the library that wrote it, so the test checks the trailer itself.
        var bytes = exception.Trailers.GetValueBytes("grpc-status-details-bin");
        Assert.NotNull(bytes);
        var status = Google.Rpc.Status.Parser.ParseFrom(bytes);
        Assert.Equal((int)exception.StatusCode, status.Code);
        return status;
    }

    /// <summary>The reason of the ErrorInfo detail: the same code as REST's problem <c>code</c>.</summary>
    public static string Reason(RpcException exception)
    {
        var info = Details(exception).Details.Single(detail => detail.Is(ErrorInfo.Descriptor)).Unpack<ErrorInfo>();
        Assert.Equal(Catalog.Descriptor.File.Package, info.Domain);
        return info.Reason;
    }

    /// <summary>The fields the BadRequest detail names.</summary>
    public static IReadOnlyList<string> Fields(RpcException exception) =>
        Details(exception).Details.Single(detail => detail.Is(BadRequest.Descriptor)).Unpack<BadRequest>()
            .FieldViolations.Select(violation => violation.Field).ToList();
}
