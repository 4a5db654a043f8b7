using Testcontainers.Redis;

namespace Company.Starter.Testing;

/// <summary>
/// The Redis the tests run against: <c>COMPANY_STARTER_TEST_REDIS</c> (e.g. <c>localhost:6379</c>), else a container.
/// Tests share one Redis; each app under test gets its own <c>Data:CacheKeyPrefix</c>, so their keys never meet.
/// </summary>
public sealed class CacheServer : IAsyncDisposable
{
    public const string Variable = "COMPANY_STARTER_TEST_REDIS";

    private readonly ExternalService _redis = new(Variable, "Redis (e.g. localhost:6379)", async cancellationToken =>
    {
        var container = new RedisBuilder("redis:7-alpine").Build();
        await container.StartAsync(cancellationToken);
        return (container.GetConnectionString(), container);
    });

    public Task<string> GetConnectionStringAsync(CancellationToken cancellationToken = default) =>
        _redis.GetConnectionStringAsync(cancellationToken);

    public ValueTask DisposeAsync() => _redis.DisposeAsync();
}
