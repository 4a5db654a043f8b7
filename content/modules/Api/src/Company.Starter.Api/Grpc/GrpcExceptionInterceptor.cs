using Company.Starter.Data;
using Company.Starter.Data.Paging;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Company.Starter.Api.Grpc;

/// <summary>
/// The one place where exceptions become gRPC statuses (what <c>ApiExceptionHandler</c> is to REST): a bad page token
/// is INVALID_ARGUMENT, a refused write ABORTED or ALREADY_EXISTS, an unreachable database UNAVAILABLE. Anything else
/// is left to gRPC, which logs it and answers UNKNOWN without internal details (outside Development).
/// </summary>
internal sealed partial class GrpcExceptionInterceptor(ILogger<GrpcExceptionInterceptor> logger) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (Exception exception) when (Translate(exception) is { } status)
        {
            throw status;
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context);
        }
        catch (Exception exception) when (Translate(exception) is { } status)
        {
            throw status;
        }
    }

    private RpcException? Translate(Exception exception)
    {
        switch (exception)
        {
            case RpcException:
                return null;
            case InvalidCursorException cursor:
                return GrpcErrors.InvalidPageToken(cursor.Message);
            case DataConflictException conflict:
                return GrpcErrors.Conflict(conflict);
            case var _ when DatabaseErrors.IsUnavailable(exception):
                LogDatabaseUnavailable(logger, exception);
                return GrpcErrors.DatabaseUnavailable();
            default:
                return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The database is unavailable; answered UNAVAILABLE")]
    private static partial void LogDatabaseUnavailable(ILogger logger, Exception exception);
}
