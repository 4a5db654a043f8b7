namespace Company.Starter.Testing;

// The cache part of the test environment in a solution without Redis (TestEnvironment.Redis.cs is the one with it):
// HybridCache is in-process only, so there is no server to find and nothing to configure.
public sealed partial class TestEnvironment
{
    private partial Task<Dictionary<string, string?>> CreateCacheSettingsAsync(CancellationToken cancellationToken) =>
        Task.FromResult(new Dictionary<string, string?>());

    private partial ValueTask DisposeCacheAsync() => ValueTask.CompletedTask;
}
