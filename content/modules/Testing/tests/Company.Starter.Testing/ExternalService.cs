using DotNet.Testcontainers.Configurations;
using Xunit;

namespace Company.Starter.Testing;

/// <summary>
/// Finds a service the tests need, once per test run, in this order: a connection string in an environment variable;
/// a Testcontainers container when Docker is available; otherwise a reason, naming the variable, to skip every test
/// that asks for the service. A skip is reported as a skip, never as a pass.
/// </summary>
public sealed class ExternalService(
    string variable,
    string description,
    Func<CancellationToken, Task<(string ConnectionString, IAsyncDisposable Container)>> startContainer) : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IAsyncDisposable? _container;
    private string? _connectionString;
    private string? _skipReason;

    /// <summary>The connection string; skips the calling test when the service cannot be had.</summary>
    public async Task<string> GetConnectionStringAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_connectionString is null && _skipReason is null)
            {
                if (Environment.GetEnvironmentVariable(variable) is { Length: > 0 } configured)
                {
                    _connectionString = configured;
                }
                else if (TestcontainersSettings.OS.DockerEndpointAuthConfig is not null)
                {
                    (_connectionString, _container) = await startContainer(cancellationToken);
                }
                else
                {
                    _skipReason = $"No {description} to test against: set {variable}, or make Docker available for Testcontainers.";
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
