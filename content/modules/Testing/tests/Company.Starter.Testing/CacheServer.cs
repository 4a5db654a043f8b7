using DotNet.Testcontainers.Configurations;
using Testcontainers.Redis;
using Xunit;

namespace Company.Starter.Testing;

/// <summary>
/// The Redis the tests run against: <c>FULLSTACK_TEST_REDIS</c> (e.g. <c>localhost:6379</c>), else a Testcontainers
/// container when Docker is available, else tests that need it are skipped with a reason naming the variable.
/// Tests share one Redis; give each its own <c>Data:CacheKeyPrefix</c> so that their keys never meet.
/// </summary>
public sealed class CacheServer : IAsyncDisposable
{
    public const string Variable = "FULLSTACK_TEST_REDIS";

    private readonly SemaphoreSlim _gate = new(1, 1);
    private RedisContainer? _container;
    private string? _connectionString;
    private string? _skipReason;

    public async Task<string> GetConnectionStringAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_connectionString is null && _skipReason is null)
            {
                var configured = Environment.GetEnvironmentVariable(Variable);
                if (!string.IsNullOrWhiteSpace(configured))
                {
                    _connectionString = configured;
                }
                else if (TestcontainersSettings.OS.DockerEndpointAuthConfig is not null)
                {
                    _container = new RedisBuilder("redis:7-alpine").Build();
                    await _container.StartAsync(cancellationToken);
                    _connectionString = _container.GetConnectionString();
                }
                else
                {
                    _skipReason = $"No Redis to test against: set {Variable} (e.g. localhost:6379), or make Docker available for Testcontainers.";
                }
            }
        }
        finally
        {
            _gate.Release();
        }

        Assert.SkipWhen(_skipReason is not null, _skipReason ?? string.Empty);
        return _connectionString!;
    }

    public async ValueTask DisposeAsync()
    {
        if (_container is not null)
        {
            await _container.DisposeAsync();
        }

        _gate.Dispose();
    }
}
