using System.Globalization;
using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Company.Starter.Api.Http;

/// <summary>
/// A token bucket per client: the signed-in user where there is one, else the remote IP address. Probes are never
/// limited. A throttled request gets a 429 problem with <c>Retry-After</c>.
/// </summary>
internal static class RateLimiting
{
    public static IServiceCollection AddApiRateLimiting(this IServiceCollection services)
    {
        services.AddRateLimiter(limiter => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<ApiOptions>>((limiter, api) =>
        {
            var bucket = new TokenBucketRateLimiterOptions
            {
                TokenLimit = api.Value.RateLimitBurst,
                TokensPerPeriod = api.Value.RateLimitPerPeriod,
                ReplenishmentPeriod = api.Value.RateLimitPeriod,
                QueueLimit = 0,
                AutoReplenishment = true,
            };
            // The partitioner runs on every request: the key is a struct and the factories are built once here, so
            // choosing the partition allocates nothing (no key string, no limiter-factory lambdas per request).
            Func<ClientKey, RateLimiter> newBucket = _ => new TokenBucketRateLimiter(bucket);
            var probes = RateLimitPartition.GetNoLimiter(ClientKey.Probes);
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, ClientKey>(context =>
                ProbeEndpoints.IsProbe(context.Request.Path) ? probes : new RateLimitPartition<ClientKey>(ClientKey.For(context), newBucket));
            limiter.OnRejected = WriteRejectionAsync;
        });

        return services;
    }

    /// <summary>Whom a request counts against: the signed-in user where there is one, else the remote IP address.</summary>
    private readonly record struct ClientKey(string? User, IPAddress? Address, bool IsProbe = false)
    {
        public static readonly ClientKey Probes = new(null, null, IsProbe: true);

        public static ClientKey For(HttpContext context) =>
            context.User.Identity is { IsAuthenticated: true, Name: { } user }
                ? new ClientKey(user, null)
                : new ClientKey(null, context.Connection.RemoteIpAddress);
    }

    private static async ValueTask WriteRejectionAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var context = rejected.HttpContext;
        var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
        context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);

        await ProblemDetailsDefaults.Problem(
            StatusCodes.Status429TooManyRequests,
            ProblemCodes.RateLimited,
            "Too many requests.",
            "Slow down: retry after the delay in the Retry-After header.").ExecuteAsync(context);
    }
}
