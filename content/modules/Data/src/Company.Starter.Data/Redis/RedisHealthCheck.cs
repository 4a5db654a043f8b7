using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace Company.Starter.Data;

/// <summary>
/// Redis is a cache: without it the app still serves every request (from the database), so an outage is Degraded,
/// never Unhealthy. Readiness (<c>/health</c>) must not take every replica out of the load balancer for the loss of a
/// cache. While the cache's circuit is open the check does not even try Redis.
/// </summary>
public sealed class RedisHealthCheck(RedisConnection connection, CircuitBreakingCache cache) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (cache.IsOpen)
        {
            return HealthCheckResult.Degraded("Redis failed recently; the cache skips it and reads go to the database.");
        }

        try
        {
            // Bounded by Data:RedisTimeout (connect and command timeouts, and fail-fast while disconnected).
            var redis = await connection.GetAsync();
            await redis.GetDatabase().PingAsync();
            return HealthCheckResult.Healthy("Redis answers.");
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            return HealthCheckResult.Degraded("Redis is unreachable; reads go to the database.", exception);
        }
    }
}
