using Company.Starter.Data;
using Company.Starter.Data.Idempotency;
using Company.Starter.Data.Products;
using Company.Starter.Data.Sales;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.Hosting;

/// <remarks>
/// What depends on the solution's options is in files of its own, which the template keeps or leaves out: the database
/// (DatabaseProvider.&lt;Provider&gt;.cs), the distributed cache (DataHostingExtensions.Redis.cs) and the security
/// module's tables (Security/DataHostingExtensions.Security.cs). The last two plug in through partial methods: where
/// the file is left out, the method has no body and the compiler removes its calls.
/// </remarks>
public static partial class DataHostingExtensions
{
    /// <summary>
    /// Registers the data module: validated <see cref="DataOptions"/>, the pooled <see cref="AppDbContext"/>,
    /// the read cache, the catalogue services, a readiness check per dependency and database tracing.
    /// </summary>
    public static TBuilder AddData<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddOptions<DataOptions>()
            .BindConfiguration(DataOptions.SectionName)
            .Configure<IConfiguration>((options, configuration) => options.ConnectionString ??= configuration.GetConnectionString("appdb"))
            .ValidateDataAnnotations()
            .ValidateOnStart();

        DatabaseProvider.AddServices(builder.Services);
        builder.Services.AddDbContextPool<AppDbContext>((services, db) => UseDatabase(services, db));
        AddSecurityContext(builder.Services);

        var health = builder.Services.AddHealthChecks()
            .AddDbContextCheck<AppDbContext>("database", tags: ["ready"]);

        AddDistributedCache(builder.Services, health);
        // HybridCache: an in-process cache with stampede protection, backed by the distributed cache when one is registered.
        builder.Services.AddHybridCache();

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddScoped<ProductCatalog>();
        builder.Services.AddScoped<SalesLedger>();
        builder.Services.AddSingleton<SalesMetrics>();

        builder.Services.AddOptions<IdempotencyOptions>()
            .BindConfiguration(IdempotencyOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddScoped<IdempotencyStore>();

        return builder;
    }

    /// <summary>
    /// Keeps a module's tables in the app's database: registers <typeparamref name="TContext"/> pooled, with the same
    /// database settings as <see cref="AppDbContext"/> and a migration history table of its own, and has the
    /// <c>migrate</c> step (<see cref="DatabaseMigrator"/>) migrate it after the app's tables. A module that can be left
    /// out of a solution then brings its tables and migrations with it, without touching the app's.
    /// </summary>
    /// <param name="services">The app's services.</param>
    /// <param name="migrationsHistoryTable">The module's migration history table (<c>__&lt;module&gt;_migrations_history</c>).</param>
    public static IServiceCollection AddModuleDbContext<TContext>(this IServiceCollection services, string migrationsHistoryTable)
        where TContext : DbContext
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(migrationsHistoryTable);
        services.AddDbContextPool<TContext>((provider, db) => UseDatabase(provider, db, migrationsHistoryTable));
        services.AddSingleton(new ModuleDbContext(typeof(TContext)));
        return services;
    }

    /// <summary>The security module's tables, in the same database (Security/DataHostingExtensions.Security.cs).</summary>
    static partial void AddSecurityContext(IServiceCollection services);

    /// <summary>
    /// The distributed cache behind HybridCache and its readiness check (DataHostingExtensions.Redis.cs). Without one,
    /// HybridCache is in-process only.
    /// </summary>
    static partial void AddDistributedCache(IServiceCollection services, IHealthChecksBuilder health);

    /// <summary>
    /// The database every context of the app uses: the provider, its command timeout and snake_case names, the
    /// context's own migration history table when it keeps one, and the level EF Core logs failed commands at.
    /// </summary>
    private static void UseDatabase(IServiceProvider services, DbContextOptionsBuilder db, string? migrationsHistoryTable = null) =>
        DatabaseProvider.UseDatabase(db, services, services.GetRequiredService<IOptions<DataOptions>>().Value, migrationsHistoryTable)
            .UseSnakeCaseNamingConvention()
            // A failed command or save is not in itself an error of the app: a duplicate SKU or a stale version is the
            // client's, answered with a 409, and errors page someone at night. EF Core would log each at Error
            // ("Failed executing DbCommand", "An exception occurred in the database while saving changes"), so they
            // go to Debug; the exception still reaches the caller, and whatever no one expected is logged at Error
            // where it is answered (ApiExceptionHandler's 500, gRPC's UNKNOWN, GraphQL's internal_error).
            .ConfigureWarnings(warnings => warnings.Log(
                (RelationalEventId.CommandError, LogLevel.Debug),
                (CoreEventId.SaveChangesFailed, LogLevel.Debug)));
}
