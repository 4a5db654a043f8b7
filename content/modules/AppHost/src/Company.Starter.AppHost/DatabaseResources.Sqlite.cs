using System.Data.Common;

namespace Aspire.Hosting;

/// <summary>The database as an Aspire resource: a SQLite file, so nothing to start, only its connection string.</summary>
internal static class DatabaseResources
{
    /// <summary>
    /// The <c>appdb</c> connection string: <c>company_starter.db</c> in the API project's directory, as an absolute
    /// path. Aspire runs each project in its own directory, so a relative path would give every project a file of its
    /// own (the worker's never migrated); the absolute one makes the migrations step, the API and any other project
    /// open the same file, the one a plain <c>dotnet run</c> of the API in its directory uses too.
    /// </summary>
    public static IResourceBuilder<ConnectionStringResource> AddAppDatabase(this IDistributedApplicationBuilder builder)
    {
        var apiDirectory = Path.GetDirectoryName(new Projects.Company_Starter_Api().ProjectPath)!;
        // The builder quotes the path if it needs it (a ';' or a space in a directory name).
        var connectionString = new DbConnectionStringBuilder { ["Data Source"] = Path.Combine(apiDirectory, "company_starter.db") }.ConnectionString;
        return builder.AddConnectionString("appdb", ReferenceExpression.Create($"{connectionString}"));
    }

    /// <summary>Gives <paramref name="project"/> the <c>appdb</c> connection string.</summary>
    public static IResourceBuilder<ProjectResource> WithAppDatabase(
        this IResourceBuilder<ProjectResource> project, IResourceBuilder<ConnectionStringResource> database) =>
        project.WithReference(database);
}
