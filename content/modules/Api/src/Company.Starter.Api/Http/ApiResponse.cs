namespace Company.Starter.Api.Http;

/// <summary>The envelope of every successful response: <c>{ data, status, timestamp }</c>.</summary>
public sealed record ApiResponse<T>(T Data, string Status, DateTimeOffset Timestamp);

/// <summary>A page of a list: <c>{ data, status, timestamp, nextCursor }</c>; <c>nextCursor</c> is null on the last page.</summary>
public sealed record ApiListResponse<T>(IReadOnlyList<T> Data, string Status, DateTimeOffset Timestamp, string? NextCursor);

/// <summary>Builds envelopes stamped with the request's clock.</summary>
public static class ApiResponse
{
    public const string Success = "success";

    public static ApiResponse<T> Ok<T>(T data, TimeProvider clock) => new(data, Success, clock.GetUtcNow());

    public static ApiListResponse<T> Page<T>(IReadOnlyList<T> data, string? nextCursor, TimeProvider clock) =>
        new(data, Success, clock.GetUtcNow(), nextCursor);
}
