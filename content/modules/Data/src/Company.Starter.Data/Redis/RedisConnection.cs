using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Company.Starter.Data;

/// <summary>
/// The process's one Redis connection, opened asynchronously on first use. A synchronous <c>Connect</c> inside a DI
/// factory blocks thread-pool threads while it waits for the network; under a burst of first requests on a machine
/// with few cores that starves the pool and stalls the app for seconds.
/// </summary>
/// <remarks>
/// Redis is a cache here: the app serves from the database without it, so the connection is set to fail fast rather
/// than to wait. AbortOnConnectFail=false lets the app start while Redis is down (the multiplexer reconnects in the
/// background); <see cref="DataOptions.RedisTimeout"/> bounds connecting and every command (the defaults are 5 s each,
/// which made each cache miss wait 5-11 s during an outage); and <see cref="BacklogPolicy.FailFast"/> fails a command at
/// once while there is no connection instead of queueing it until the timeout.
/// </remarks>
public sealed class RedisConnection(IOptions<DataOptions> options) : IAsyncDisposable
{
    private readonly Lazy<Task<IConnectionMultiplexer>> _connection = new(() => ConnectAsync(options.Value));

    public Task<IConnectionMultiplexer> GetAsync() => _connection.Value;

    private static async Task<IConnectionMultiplexer> ConnectAsync(DataOptions options)
    {
        var configuration = ConfigurationOptions.Parse(options.RedisConnectionString!);
        var timeout = (int)options.RedisTimeout.TotalMilliseconds;
        configuration.AbortOnConnectFail = false;
        configuration.ConnectTimeout = timeout;
        configuration.SyncTimeout = timeout;
        configuration.AsyncTimeout = timeout;
        configuration.BacklogPolicy = BacklogPolicy.FailFast;
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
