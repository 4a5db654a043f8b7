using Microsoft.AspNetCore.OutputCaching;

namespace Company.Starter.Api.Http;

/// <summary>
/// Output caching of safe reads: a cached page is served without running the query. Every write evicts the tag of
/// what it changed, so a client never reads its own write stale from this instance. The store is per instance:
/// with several replicas, another replica may serve a page up to <see cref="Duration"/> old.
/// </summary>
public static class OutputCaching
{
    public const string Products = "products";
    public const string Sales = "sales";

    public static readonly TimeSpan Duration = TimeSpan.FromSeconds(30);

    public static IServiceCollection AddApiOutputCache(this IServiceCollection services) =>
        services.AddOutputCache(cache =>
        {
            // Only the first page of the list: it is what most clients ask for, again and again. Later pages are
            // keyed by cursors that rarely repeat, so caching them would fill the store with entries read once.
            cache.AddPolicy(Products, policy => policy.With(IsFirstPage).Tag(Products).Expire(Duration).SetVaryByQuery("limit", "api-version"));
            cache.AddPolicy(Sales, policy => policy.Tag(Sales).Expire(Duration).SetVaryByQuery("bucket", "from", "to", "api-version"));
        });

    private static bool IsFirstPage(OutputCacheContext context) => !context.HttpContext.Request.Query.ContainsKey("cursor");

    /// <summary>
    /// After the endpoint (a write) ran, evicts the cached reads tagged <paramref name="tag"/>, whatever it answered:
    /// eviction is cheap, and a failed write may still have changed something.
    /// </summary>
    public static TBuilder EvictsCachedReads<TBuilder>(this TBuilder builder, string tag) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            try
            {
                return await next(context);
            }
            finally
            {
                // Not the request's token: a client that hangs up after the write must not leave stale pages behind.
                await context.HttpContext.RequestServices.GetRequiredService<IOutputCacheStore>().EvictByTagAsync(tag, CancellationToken.None);
            }
        });
}
