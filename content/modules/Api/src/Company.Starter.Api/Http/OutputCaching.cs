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
    /// Marks a write (a REST endpoint with <see cref="EvictsCachedReads{TBuilder}"/>, or a gRPC method with the
    /// attribute) whose requests change what the reads cached under <see cref="Tag"/> show. Every protocol's writes
    /// go through <see cref="UseCachedReadEviction"/>, so a write over gRPC evicts the REST pages it made stale too.
    /// </summary>
    [AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
    public sealed class EvictsAttribute(string tag) : Attribute
    {
        public string Tag { get; } = tag;
    }

    /// <summary>Marks a REST write as changing the reads cached under <paramref name="tag"/>.</summary>
    public static TBuilder EvictsCachedReads<TBuilder>(this TBuilder builder, string tag) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new EvictsAttribute(tag));

    /// <summary>
    /// Evicts the tags of an endpoint marked with <see cref="EvictsAttribute"/> when its answer starts, whatever the
    /// answer is (eviction is cheap, and a failed write may still have changed something): before the client can see
    /// the write succeed, so its next read is not served stale. Also when no answer was sent (the client hung up).
    /// </summary>
    public static IApplicationBuilder UseCachedReadEviction(this IApplicationBuilder app) => app.Use(next => context =>
    {
        // Reads pass straight through, without an async frame of this middleware's own.
        var evicts = context.GetEndpoint()?.Metadata.GetOrderedMetadata<EvictsAttribute>() ?? [];
        return evicts.Count == 0 ? next(context) : EvictAfterAsync(context, next, evicts);
    });

    private static async Task EvictAfterAsync(HttpContext context, RequestDelegate next, IReadOnlyList<EvictsAttribute> evicts)
    {
        Task? eviction = null;
        Task EvictOnce() => eviction ??= EvictAsync(context.RequestServices, evicts.Select(evict => evict.Tag));
        context.Response.OnStarting(EvictOnce);
        try
        {
            await next(context);
        }
        finally
        {
            await EvictOnce();
        }
    }

    /// <summary>
    /// Evicts the reads cached under <paramref name="tags"/>. Not with the request's token: a client that hangs up
    /// after its write must not leave stale pages behind.
    /// </summary>
    public static async Task EvictAsync(IServiceProvider services, IEnumerable<string> tags)
    {
        var store = services.GetRequiredService<IOutputCacheStore>();
        foreach (var tag in tags)
        {
            await store.EvictByTagAsync(tag, CancellationToken.None);
        }
    }
}
