using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
#if (UseAuth)
using Company.Starter.Data.Security;
#endif

namespace Company.Starter.Data;

/// <summary>
/// Applies pending EF Core migrations. It runs as an explicit deployment step (<c>dotnet Company.Starter.Api.dll migrate</c>,
/// or a migration bundle), never as a side effect of serving traffic: several replicas starting at once must not race to
/// change the schema, and the app's runtime role need not own the schema.
/// </summary>
public static class DatabaseMigrator
{
    public static async Task MigrateDatabaseAsync(this IServiceProvider services, CancellationToken cancellationToken = default)
    {
        await using var scope = services.CreateAsyncScope();
        var logger = scope.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DatabaseMigrator));

        await MigrateAsync(scope.ServiceProvider.GetRequiredService<AppDbContext>(), logger, cancellationToken);
#if (UseAuth)
        await MigrateAsync(scope.ServiceProvider.GetRequiredService<SecurityDbContext>(), logger, cancellationToken);
#endif
#if (UseSqlite)

        // Write-ahead logging lets readers work while a write is in progress (the setting is kept in the file):
        // without it, concurrent requests meet "database is locked" far sooner.
        await scope.ServiceProvider.GetRequiredService<AppDbContext>().Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
#endif
        logger.LogInformation("The database schema is up to date");
    }

    private static async Task MigrateAsync(DbContext db, ILogger logger, CancellationToken cancellationToken)
    {
        // Creating the history table first keeps a first run on an empty database free of a logged "relation does not
        // exist" error when the history is read.
        await db.GetService<IHistoryRepository>().CreateIfNotExistsAsync(cancellationToken);
        var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
        if (pending.Count == 0)
        {
            return;
        }

        logger.LogInformation("Applying {Count} migration(s) of {Context}: {Migrations}", pending.Count, db.GetType().Name, string.Join(", ", pending));
        await db.Database.MigrateAsync(cancellationToken);
    }
}
