using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Company.Starter.Data;

/// <summary>
/// The process's one Redis connection, opened asynchronously on first use. A synchronous <c>Connect</c> inside a DI
/// factory blocks thread-pool threads while it waits for the network; under a burst of first requests on a machine
/// with few cores that starves the pool and stalls the app for seconds. AbortOnConnectFail=false lets the app start
/// (and serve from the database) while Redis is down; the multiplexer reconnects in the background.
/// </summary>
public sealed class RedisConnection(IOptions<DataOptions> options) : IAsyncDisposable
{
    private readonly Lazy<Task<IConnectionMultiplexer>> _connection = new(() => ConnectAsync(options.Value));

    public Task<IConnectionMultiplexer> GetAsync() => _connection.Value;

    private static async Task<IConnectionMultiplexer> ConnectAsync(DataOptions options)
    {
        var configuration = ConfigurationOptions.Parse(options.RedisConnectionString!);
        configuration.AbortOnConnectFail = false;
        return await ConnectionMultiplexer.ConnectAsync(configuration);
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection.IsValueCreated)
        {
            await (await _connection.Value).DisposeAsync();
        }
    }
}
