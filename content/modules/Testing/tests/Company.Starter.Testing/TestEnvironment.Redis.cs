namespace Company.Starter.Testing;

// The Redis part of the test environment (TestEnvironment.InProcessCache.cs is the one of a solution without Redis):
// a file of its own, so that neither variant carries code for a cache the solution does not have.
public sealed partial class TestEnvironment
{
    public CacheServer Cache { get; } = new();

    private partial async Task<Dictionary<string, string?>> CreateCacheSettingsAsync(CancellationToken cancellationToken) => new()
    {
        ["ConnectionStrings:redis"] = await Cache.GetConnectionStringAsync(cancellationToken),
        // Tests share the Redis server, never its keys.
        ["Data:CacheKeyPrefix"] = $"test-{Guid.NewGuid():N}:",
    };

    private partial ValueTask DisposeCacheAsync() => Cache.DisposeAsync();
}
