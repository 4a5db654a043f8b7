using System.Globalization;
using Company.Starter.Api.Http;
using Company.Starter.Data;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;

namespace Company.Starter.Api.Grpc;

/// <summary>
/// Builds the <see cref="RpcException"/>s the catalogue answers with: a status code and message, plus the rich error
/// model (a <c>google.rpc.Status</c> in the <c>grpc-status-details-bin</c> trailer, written by Grpc.StatusProto) with a
/// <see cref="ErrorInfo"/> whose reason is the REST problem <c>code</c>, so clients of either API branch on one vocabulary
/// (clients read it with <c>exception.GetRpcStatus()</c>).
/// </summary>
public static class GrpcErrors
{
    /// <summary>How long a client should wait before retrying while the database is unreachable (as REST's Retry-After).</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(5);

    /// <summary>The <see cref="ErrorInfo.Domain"/> of every error: the proto package.</summary>
    public static string Domain => Catalog.Descriptor.File.Package;

    public static RpcException ProductNotFound(long id) => Create(
        StatusCode.NotFound,
        ProblemCodes.NotFound,
        $"No product has id {id}.",
        new ResourceInfo { ResourceType = Product.Descriptor.FullName, ResourceName = id.ToString(CultureInfo.InvariantCulture) });

    /// <summary>INVALID_ARGUMENT naming each field (by its proto name) and what is wrong with it.</summary>
    public static RpcException InvalidArgument(IReadOnlyCollection<BadRequest.Types.FieldViolation> violations) =>
        InvalidArgumentStatus(violations).ToRpcException();

    /// <summary>The status of <see cref="InvalidArgument"/>, for answers written before a call reaches the service.</summary>
    public static Google.Rpc.Status InvalidArgumentStatus(IReadOnlyCollection<BadRequest.Types.FieldViolation> violations) => CreateStatus(
        StatusCode.InvalidArgument,
        ProblemCodes.ValidationFailed,
        "The request is invalid: " + string.Join(" ", violations.Select(v => $"{v.Field}: {v.Description}")),
        new BadRequest { FieldViolations = { violations } });

    public static RpcException InvalidPageToken(string message) => Create(
        StatusCode.InvalidArgument,
        ProblemCodes.InvalidCursor,
        message,
        new BadRequest { FieldViolations = { new BadRequest.Types.FieldViolation { Field = "page_token", Description = message } } });

    /// <summary>
    /// A refused write. A stale version is ABORTED, not FAILED_PRECONDITION: the gRPC guidance gives ABORTED to a failed
    /// test-and-set that the client should retry at a higher level (read again, reapply, write), while
    /// FAILED_PRECONDITION means "do not retry until the system is fixed". A taken SKU is ALREADY_EXISTS.
    /// </summary>
    public static RpcException Conflict(DataConflictException conflict) => conflict.Code switch
    {
        DataConflictException.DuplicateKey => Create(
            StatusCode.AlreadyExists,
            conflict.Code,
            conflict.Message,
            new BadRequest { FieldViolations = { new BadRequest.Types.FieldViolation { Field = "sku", Description = conflict.Message } } }),
        DataConflictException.ConcurrencyConflict => Create(StatusCode.Aborted, conflict.Code, conflict.Message),
        _ => Create(StatusCode.FailedPrecondition, conflict.Code, conflict.Message),
    };

    public static RpcException DatabaseUnavailable() => Create(
        StatusCode.Unavailable,
        ProblemCodes.DatabaseUnavailable,
        "The database is unavailable. The request was not carried out; retry after the delay in the RetryInfo detail.",
        new RetryInfo { RetryDelay = Duration.FromTimeSpan(RetryAfter) });

    private static RpcException Create(StatusCode code, string reason, string message, params IMessage[] details) =>
        CreateStatus(code, reason, message, details).ToRpcException();

    private static Google.Rpc.Status CreateStatus(StatusCode code, string reason, string message, params IMessage[] details)
    {
        var status = new Google.Rpc.Status
        {
            Code = (int)code,
            Message = message,
            Details = { Any.Pack(new ErrorInfo { Reason = reason, Domain = Domain }) },
        };
        status.Details.AddRange(details.Select(Any.Pack));

        return status;
    }
}
