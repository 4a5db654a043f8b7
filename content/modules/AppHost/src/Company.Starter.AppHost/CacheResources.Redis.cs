namespace Aspire.Hosting;

/// <summary>The API's second-level read cache as an Aspire resource: Redis in a container.</summary>
internal static class CacheResources
{
    /// <summary>
    /// Gives <paramref name="project"/> the connection string of the <c>redis</c> container, starting the project once
    /// Redis is up. The first project that asks adds the container; the others (a worker) share it.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithAppCache(this IResourceBuilder<ProjectResource> project)
    {
        var builder = project.ApplicationBuilder;
        var redis = builder.Resources.OfType<RedisResource>().SingleOrDefault() is { } existing
            ? builder.CreateResourceBuilder(existing)
            : builder.AddRedis("redis");
        return project.WithReference(redis).WaitFor(redis);
    }
}
