namespace Aspire.Hosting;

/// <summary>The API's second-level read cache as an Aspire resource: Redis in a container.</summary>
internal static class CacheResources
{
    /// <summary>
    /// Adds the <c>redis</c> container and gives <paramref name="project"/> its connection string, starting the project
    /// once Redis is up. Only the API reads the cache, so the resource is made here, once.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithAppCache(this IResourceBuilder<ProjectResource> project)
    {
        var redis = project.ApplicationBuilder.AddRedis("redis");
        return project.WithReference(redis).WaitFor(redis);
    }
}
