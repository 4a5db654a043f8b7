using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;

namespace Company.Starter.Data;

/// <summary>
/// SQLite, an embedded file database: what the rest of the module asks of "the database" (registration, context
/// options, the design-time connection, the step after migrating).
/// </summary>
/// <remarks>
/// DatabaseProvider.Postgres.cs has the same members for PostgreSQL; the template keeps the file of the database the
/// solution was made with, so the code that uses it never names a provider.
/// </remarks>
internal static class DatabaseProvider
{
    /// <summary>EF Core's spans, one per command: SQLite has no driver-level instrumentation of its own.</summary>
    public static void AddServices(IServiceCollection services) =>
        services.AddOpenTelemetry().WithTracing(tracing => tracing.AddEntityFrameworkCoreInstrumentation());

    /// <summary>A context on the database file, with the command timeout and the context's own migration history table if any.</summary>
    public static DbContextOptionsBuilder UseDatabase(
        DbContextOptionsBuilder db, IServiceProvider services, DataOptions options, string? migrationsHistoryTable) =>
        db.UseSqlite(options.ConnectionString, sqlite =>
        {
            sqlite.CommandTimeout(options.CommandTimeoutSeconds);
            if (migrationsHistoryTable is not null)
            {
                sqlite.MigrationsHistoryTable(migrationsHistoryTable);
            }
        });

    /// <summary>What <c>dotnet ef migrations add</c> builds the model with: adding a migration opens no file.</summary>
    public static DbContextOptionsBuilder<TContext> UseDesignTimeDatabase<TContext>(
        DbContextOptionsBuilder<TContext> db, string? migrationsHistoryTable = null) where TContext : DbContext =>
        db.UseSqlite("Data Source=company_starter.db", sqlite =>
        {
            if (migrationsHistoryTable is not null)
            {
                sqlite.MigrationsHistoryTable(migrationsHistoryTable);
            }
        });

    /// <summary>
    /// Write-ahead logging lets readers work while a write is in progress (the setting is kept in the file): without it,
    /// concurrent requests meet "database is locked" far sooner.
    /// </summary>
    public static async Task AfterMigrationsAsync(AppDbContext db, CancellationToken cancellationToken) =>
        await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
}
