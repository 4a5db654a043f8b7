using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Company.Starter.Data;

/// <summary>
/// PostgreSQL through Npgsql: what the rest of the module asks of "the database" (registration, context options, the
/// design-time connection, the step after migrating).
/// </summary>
/// <remarks>
/// DatabaseProvider.Sqlite.cs has the same members for SQLite; the template keeps the file of the database the solution
/// was made with, so the code that uses it never names a provider.
/// </remarks>
internal static class DatabaseProvider
{
    /// <summary>One NpgsqlDataSource per process owns the connection pool; EF Core borrows connections from it.</summary>
    public static void AddServices(IServiceCollection services)
    {
        services.AddSingleton(provider =>
        {
            var options = provider.GetRequiredService<IOptions<DataOptions>>().Value;
            return new NpgsqlDataSourceBuilder(options.ConnectionString).Build();
        });

        // Npgsql's own spans (one per command, with the SQL) and pool and command metrics.
        services.AddOpenTelemetry()
            .WithTracing(tracing => tracing.AddNpgsql())
            .WithMetrics(metrics => metrics.AddNpgsqlInstrumentation());
    }

    /// <summary>A context on the pooled data source, with the command timeout and the context's own migration history table if any.</summary>
    public static DbContextOptionsBuilder UseDatabase(
        DbContextOptionsBuilder db, IServiceProvider services, DataOptions options, string? migrationsHistoryTable) =>
        db.UseNpgsql(services.GetRequiredService<NpgsqlDataSource>(), npgsql =>
        {
            npgsql.CommandTimeout(options.CommandTimeoutSeconds);
            if (migrationsHistoryTable is not null)
            {
                npgsql.MigrationsHistoryTable(migrationsHistoryTable);
            }
        });

    /// <summary>What <c>dotnet ef migrations add</c> builds the model with: adding a migration connects to nothing.</summary>
    public static DbContextOptionsBuilder<TContext> UseDesignTimeDatabase<TContext>(
        DbContextOptionsBuilder<TContext> db, string? migrationsHistoryTable = null) where TContext : DbContext =>
        db.UseNpgsql("Host=localhost;Database=company_starter", npgsql =>
        {
            if (migrationsHistoryTable is not null)
            {
                npgsql.MigrationsHistoryTable(migrationsHistoryTable);
            }
        });

    /// <summary>Nothing to do after migrating: PostgreSQL keeps no setting in the database that the app relies on.</summary>
    public static Task AfterMigrationsAsync(AppDbContext db, CancellationToken cancellationToken) => Task.CompletedTask;
}
