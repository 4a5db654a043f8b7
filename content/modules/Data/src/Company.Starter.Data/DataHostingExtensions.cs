using Company.Starter.Data;
using Company.Starter.Data.Idempotency;
using Company.Starter.Data.Products;
using Company.Starter.Data.Sales;
#if (UseAuth)
using Company.Starter.Data.Security;
using Microsoft.AspNetCore.Identity;
#endif
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
#if (UsePostgres)
using Npgsql;
#else
using OpenTelemetry.Trace;
#endif
#if (UseRedis)
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.Diagnostics.HealthChecks;
#endif

namespace Microsoft.Extensions.Hosting;

public static class DataHostingExtensions
{
    /// <summary>
    /// Registers the data module: validated <see cref="DataOptions"/>, the pooled <see cref="AppDbContext"/>,
    /// the read cache, the catalogue services, a readiness check per dependency and database tracing.
    /// </summary>
    public static TBuilder AddData<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddOptions<DataOptions>()
            .BindConfiguration(DataOptions.SectionName)
            .Configure<IConfiguration>((options, configuration) =>
            {
                options.ConnectionString ??= configuration.GetConnectionString("appdb");
#if (UseRedis)
                options.RedisConnectionString ??= configuration.GetConnectionString("redis");
#endif
            })
            .ValidateDataAnnotations()
            .ValidateOnStart();

#if (UsePostgres)
        // One NpgsqlDataSource per process owns the connection pool; EF Core borrows connections from it.
        builder.Services.AddSingleton(services =>
        {
            var options = services.GetRequiredService<IOptions<DataOptions>>().Value;
            return new NpgsqlDataSourceBuilder(options.ConnectionString).Build();
        });

        // Npgsql's own spans (one per command, with the SQL) and pool and command metrics.
        builder.Services.AddOpenTelemetry()
            .WithTracing(tracing => tracing.AddNpgsql())
            .WithMetrics(metrics => metrics.AddNpgsqlInstrumentation());
#else
        // EF Core's spans, one per command: SQLite has no driver-level instrumentation of its own.
        builder.Services.AddOpenTelemetry().WithTracing(tracing => tracing.AddEntityFrameworkCoreInstrumentation());
#endif

        builder.Services.AddDbContextPool<AppDbContext>((services, db) => UseDatabase(services, db));
#if (UseAuth)

        // The security module's tables: same database and pool, a migration history of their own. Identity schema
        // version 3 maps the passkey table (.NET 10); the committed migrations are made with it.
        builder.Services.Configure<IdentityOptions>(identity => identity.Stores.SchemaVersion = IdentitySchemaVersions.Version3);
        builder.Services.AddDbContextPool<SecurityDbContext>((services, db) => UseDatabase(services, db, SecurityDbContext.MigrationsHistoryTable));
#endif

#if (UseRedis)
        builder.Services.AddSingleton<RedisConnection>();
        builder.Services.AddOptions<RedisCacheOptions>()
            .Configure<IServiceProvider>((redis, services) =>
            {
                redis.InstanceName = services.GetRequiredService<IOptions<DataOptions>>().Value.CacheKeyPrefix;
                redis.ConnectionMultiplexerFactory = services.GetRequiredService<RedisConnection>().GetAsync;
            });
        // Redis behind a circuit breaker: while it is down, reads skip it and go to the database at once.
        builder.Services.AddSingleton(services => new CircuitBreakingCache(
            new RedisCache(services.GetRequiredService<IOptions<RedisCacheOptions>>()),
            services.GetRequiredService<TimeProvider>(),
            services.GetRequiredService<IOptions<DataOptions>>(),
            services.GetRequiredService<ILogger<CircuitBreakingCache>>()));
        builder.Services.AddSingleton<IDistributedCache>(services => services.GetRequiredService<CircuitBreakingCache>());
#endif
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

        var health = builder.Services.AddHealthChecks()
            .AddDbContextCheck<AppDbContext>("database", tags: ["ready"]);
#if (UseRedis)
        // Degraded, not Unhealthy, when Redis is down: the app serves without its cache, so readiness stays up.
        health.AddCheck<RedisHealthCheck>("redis", failureStatus: HealthStatus.Degraded, tags: ["ready"]);
#endif

        return builder;
    }

    /// <summary>
    /// The database every context of the app uses: the provider, its command timeout and snake_case names, the
    /// context's own migration history table when it keeps one, and the level EF Core logs failed commands at.
    /// </summary>
    private static void UseDatabase(IServiceProvider services, DbContextOptionsBuilder db, string? migrationsHistoryTable = null)
    {
        var options = services.GetRequiredService<IOptions<DataOptions>>().Value;
#if (UsePostgres)
        db.UseNpgsql(services.GetRequiredService<NpgsqlDataSource>(), npgsql =>
        {
            npgsql.CommandTimeout(options.CommandTimeoutSeconds);
            if (migrationsHistoryTable is not null)
            {
                npgsql.MigrationsHistoryTable(migrationsHistoryTable);
            }
        })
#else
        db.UseSqlite(options.ConnectionString, sqlite =>
        {
            sqlite.CommandTimeout(options.CommandTimeoutSeconds);
            if (migrationsHistoryTable is not null)
            {
                sqlite.MigrationsHistoryTable(migrationsHistoryTable);
            }
        })
#endif
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
}
