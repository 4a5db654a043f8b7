using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

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

        var app = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        // The app's tables first, then each module's (AddModuleDbContext), in the order the modules were added.
        List<DbContext> contexts = [app];
        foreach (var module in scope.ServiceProvider.GetServices<ModuleDbContext>().DistinctBy(module => module.ContextType))
        {
            contexts.Add((DbContext)scope.ServiceProvider.GetRequiredService(module.ContextType));
        }

        foreach (var context in contexts)
        {
            await MigrateAsync(context, logger, cancellationToken);
        }

        await DatabaseProvider.AfterMigrationsAsync(app, cancellationToken);
        logger.LogInformation("The database schema is up to date");
    }

    /// <summary>
    /// The <c>migrate</c> host command: migrates and returns the process's exit code. A failure (the server is
    /// unreachable, the password is wrong, a setting is missing) is one line on <paramref name="error"/> and exit code 1,
    /// not an unhandled exception: the person or pipeline running it needs the reason, not a stack trace and a core dump.
    /// </summary>
    public static async Task<int> RunMigrateCommandAsync(this IServiceProvider services, TextWriter error, CancellationToken cancellationToken = default)
    {
        try
        {
            await services.MigrateDatabaseAsync(cancellationToken);
            return 0;
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            await error.WriteLineAsync($"migrate failed: {OneLine(exception)}");
            return 1;
        }
    }

    /// <summary>The exception's message and those of its causes, on one line ("Failed to connect to ...: Connection refused").</summary>
    private static string OneLine(Exception exception)
    {
        var messages = new List<string>();
        for (var current = exception; current is not null; current = current.InnerException)
        {
            var message = current.Message.ReplaceLineEndings(" ").Trim();
            if (message.Length > 0 && !messages.Any(m => m.Contains(message, StringComparison.Ordinal)))
            {
                messages.Add(message);
            }
        }

        return $"{string.Join(": ", messages)} ({exception.GetType().Name})";
    }

    private static async Task MigrateAsync(DbContext db, ILogger logger, CancellationToken cancellationToken)
    {
        // MigrateAsync would create a missing database itself, but the history table below is created first and
        // needs one: on a first run (no database yet) create it here, as MigrateAsync would have.
        var database = db.GetService<IRelationalDatabaseCreator>();
        if (!await database.ExistsAsync(cancellationToken))
        {
            logger.LogInformation("Creating the database of {Context}", db.GetType().Name);
            await database.CreateAsync(cancellationToken);
        }

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
