namespace Aspire.Hosting;

/// <summary>The database as an Aspire resource: a SQLite file, so nothing to start, only its connection string.</summary>
internal static class DatabaseResources
{
    /// <summary>
    /// The <c>appdb</c> connection string: a file in the working directory of the projects that use it (Aspire runs a
    /// project in its own directory, so the migrations step and the API open the same file).
    /// </summary>
    public static IResourceBuilder<ConnectionStringResource> AddAppDatabase(this IDistributedApplicationBuilder builder) =>
        builder.AddConnectionString("appdb", ReferenceExpression.Create($"Data Source=company_starter.db"));

    /// <summary>Gives <paramref name="project"/> the <c>appdb</c> connection string.</summary>
    public static IResourceBuilder<ProjectResource> WithAppDatabase(
        this IResourceBuilder<ProjectResource> project, IResourceBuilder<ConnectionStringResource> database) =>
        project.WithReference(database);
}
