namespace Company.Starter.Api.Http.Idempotency;

public static class IdempotencyEndpointExtensions
{
    /// <summary>
    /// Makes an unsafe endpoint (a POST) idempotent for clients that send an <c>Idempotency-Key</c> header; see
    /// <see cref="IdempotentRequests"/>. Requests without the header are not affected.
    /// </summary>
    /// <remarks>
    /// It wraps the endpoint's whole request delegate rather than adding an endpoint filter: filters run after body
    /// binding and validation, so a 400 from either would escape them, and the draft asks that such answers be replayed too.
    /// </remarks>
    public static TBuilder WithIdempotency<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder
    {
        builder.Add(endpoint =>
        {
            var inner = endpoint.RequestDelegate
                ?? throw new InvalidOperationException($"Endpoint '{endpoint.DisplayName}' has no request delegate to make idempotent.");
            endpoint.RequestDelegate = context => IdempotentRequests.InvokeAsync(context, inner);
        });
        return builder;
    }
}
