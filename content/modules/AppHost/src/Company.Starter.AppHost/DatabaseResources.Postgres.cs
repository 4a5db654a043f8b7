namespace Aspire.Hosting;

/// <summary>The database as an Aspire resource: PostgreSQL in a container.</summary>
internal static class DatabaseResources
{
    /// <summary>
    /// A PostgreSQL container (its data in a volume, the container kept between runs so a restart of the AppHost does not
    /// wait for a new one) with the <c>appdb</c> database.
    /// </summary>
    public static IResourceBuilder<PostgresDatabaseResource> AddAppDatabase(this IDistributedApplicationBuilder builder) =>
        builder.AddPostgres("postgres")
            .WithDataVolume()
            .WithLifetime(ContainerLifetime.Persistent)
            .AddDatabase("appdb");

    /// <summary>Gives <paramref name="project"/> the <c>appdb</c> connection string and starts it once the database is up.</summary>
    public static IResourceBuilder<ProjectResource> WithAppDatabase(
        this IResourceBuilder<ProjectResource> project, IResourceBuilder<PostgresDatabaseResource> database) =>
        project.WithReference(database).WaitFor(database);
}
