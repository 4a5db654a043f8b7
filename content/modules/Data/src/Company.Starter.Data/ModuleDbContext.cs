using Microsoft.EntityFrameworkCore;

namespace Company.Starter.Data;

/// <summary>
/// A module's context that keeps tables in the app's database, as <c>AddModuleDbContext</c> recorded it: the
/// <c>migrate</c> step migrates each one after <see cref="AppDbContext"/>.
/// </summary>
internal sealed record ModuleDbContext(Type ContextType);

/// <summary>
/// What a module's <see cref="Microsoft.EntityFrameworkCore.Design.IDesignTimeDbContextFactory{TContext}"/> builds its
/// options with, so that <c>dotnet ef migrations add</c> sees the model the app runs with: the solution's database
/// provider (connecting to nothing), snake_case names and the module's own migration history table.
/// </summary>
public static class DesignTimeDatabase
{
    /// <param name="migrationsHistoryTable">The table the module's context was registered with (AddModuleDbContext).</param>
    /// <param name="applicationServices">Services the model reads while it is built (Identity's options), if any.</param>
    public static DbContextOptions<TContext> Options<TContext>(string migrationsHistoryTable, IServiceProvider? applicationServices = null)
        where TContext : DbContext
    {
        var builder = new DbContextOptionsBuilder<TContext>();
        if (applicationServices is not null)
        {
            builder.UseApplicationServiceProvider(applicationServices);
        }

        return DatabaseProvider.UseDesignTimeDatabase(builder, migrationsHistoryTable)
            .UseSnakeCaseNamingConvention()
            .Options;
    }
}
