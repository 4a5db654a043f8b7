using Company.Starter.Data;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.Hosting;

// Redis as HybridCache's second level, in a file of its own: a solution made with --cache none leaves it out, and
// AddData's call to AddDistributedCache then compiles to nothing (HybridCache stays in-process).
public static partial class DataHostingExtensions
{
    static partial void AddDistributedCache(IServiceCollection services, IHealthChecksBuilder health)
    {
        services.AddOptions<DataOptions>()
            .Configure<IConfiguration>((options, configuration) => options.RedisConnectionString ??= configuration.GetConnectionString("redis"));

        services.AddSingleton<RedisConnection>();
        services.AddOptions<RedisCacheOptions>()
            .Configure<IServiceProvider>((redis, provider) =>
            {
                redis.InstanceName = provider.GetRequiredService<IOptions<DataOptions>>().Value.CacheKeyPrefix;
                redis.ConnectionMultiplexerFactory = provider.GetRequiredService<RedisConnection>().GetAsync;
            });
        // Redis behind a circuit breaker: while it is down, reads skip it and go to the database at once.
        services.AddSingleton(provider => new CircuitBreakingCache(
            new RedisCache(provider.GetRequiredService<IOptions<RedisCacheOptions>>()),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<IOptions<DataOptions>>(),
            provider.GetRequiredService<ILogger<CircuitBreakingCache>>()));
        services.AddSingleton<IDistributedCache>(provider => provider.GetRequiredService<CircuitBreakingCache>());

        // Degraded, not Unhealthy, when Redis is down: the app serves without its cache, so readiness stays up.
        health.AddCheck<RedisHealthCheck>("redis", failureStatus: HealthStatus.Degraded, tags: ["ready"]);
    }
}
