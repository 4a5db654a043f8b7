using System.Buffers;
using System.Collections.Concurrent;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Company.Starter.Data;

/// <summary>
/// The distributed cache (Redis) behind <c>HybridCache</c>, with a circuit breaker: after a failure every call skips
/// Redis for <see cref="DataOptions.CacheBreakDuration"/> (a read is a miss and goes straight to the database, a write
/// is dropped), then one call tries Redis again and, if it answers, closes the circuit. A cache outage therefore costs
/// one bounded wait per break, not one per request.
/// </summary>
/// <remarks>
/// Evictions that could not reach Redis (while the circuit was open, or because the call failed) are remembered and
/// sent before anything else once Redis answers again, so an update made during the outage is not hidden behind the
/// entry it replaced. Other replicas' missed evictions are not known here: their entries expire with the cache
/// duration, the same bound as any replica's in-process copy.
/// </remarks>
public sealed partial class CircuitBreakingCache(
    IBufferDistributedCache redis, TimeProvider clock, IOptions<DataOptions> options, ILogger<CircuitBreakingCache> logger)
    : IBufferDistributedCache
{
    /// <summary>How many missed evictions are remembered; past it they are dropped (and logged) and expire instead.</summary>
    public const int MaxPendingEvictions = 10_000;

    private readonly ConcurrentDictionary<string, byte> _pendingEvictions = new(StringComparer.Ordinal);
    private long _openUntilTicks;
    private int _trialInProgress;

    /// <summary>True while calls skip Redis; the health check reports the cache as degraded then.</summary>
    public bool IsOpen => Volatile.Read(ref _openUntilTicks) != 0;

    public byte[]? Get(string key) => Run(() => redis.Get(key), fallback: null);

    public async Task<byte[]?> GetAsync(string key, CancellationToken token = default) =>
        await RunAsync(() => redis.GetAsync(key, token), fallback: null, token);

    public async ValueTask<bool> TryGetAsync(string key, IBufferWriter<byte> destination, CancellationToken token = default) =>
        await RunAsync(() => redis.TryGetAsync(key, destination, token).AsTask(), fallback: false, token);

    public bool TryGet(string key, IBufferWriter<byte> destination) => Run(() => redis.TryGet(key, destination), fallback: false);

    public void Set(string key, byte[] value, DistributedCacheEntryOptions entryOptions) =>
        Run(() => { redis.Set(key, value, entryOptions); return true; }, fallback: false);

    public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions entryOptions, CancellationToken token = default) =>
        RunAsync(async () => { await redis.SetAsync(key, value, entryOptions, token); return true; }, fallback: false, token);

    public void Set(string key, ReadOnlySequence<byte> value, DistributedCacheEntryOptions entryOptions) =>
        Run(() => { redis.Set(key, value, entryOptions); return true; }, fallback: false);

    public async ValueTask SetAsync(string key, ReadOnlySequence<byte> value, DistributedCacheEntryOptions entryOptions, CancellationToken token = default) =>
        await RunAsync(async () => { await redis.SetAsync(key, value, entryOptions, token); return true; }, fallback: false, token);

    public void Refresh(string key) => Run(() => { redis.Refresh(key); return true; }, fallback: false);

    public Task RefreshAsync(string key, CancellationToken token = default) =>
        RunAsync(async () => { await redis.RefreshAsync(key, token); return true; }, fallback: false, token);

    public void Remove(string key)
    {
        if (!Run(() => { redis.Remove(key); return true; }, fallback: false))
        {
            RememberEviction(key);
        }
    }

    public async Task RemoveAsync(string key, CancellationToken token = default)
    {
        if (!await RunAsync(async () => { await redis.RemoveAsync(key, token); return true; }, fallback: false, token))
        {
            RememberEviction(key);
        }
    }

    private T Run<T>(Func<T> call, T fallback)
    {
        if (!TryEnter())
        {
            return fallback;
        }

        try
        {
            SendPendingEvictions();
            var result = call();
            Succeeded();
            return result;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            Failed(exception);
            return fallback;
        }
    }

    private async Task<T> RunAsync<T>(Func<Task<T>> call, T fallback, CancellationToken cancellationToken)
    {
        if (!TryEnter())
        {
            return fallback;
        }

        try
        {
            // Evictions missed during an outage go first: the call may read an entry one of them removes.
            await SendPendingEvictionsAsync(cancellationToken);
            var result = await call();
            Succeeded();
            return result;
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Failed(exception);
            return fallback;
        }
        catch
        {
            // The caller gave up: that says nothing about Redis; let the next call (or trial) decide.
            Interlocked.Exchange(ref _trialInProgress, 0);
            throw;
        }
    }

    /// <summary>Closed: go. Open: skip until the break is over, then let exactly one call through as the trial.</summary>
    private bool TryEnter()
    {
        var openUntil = Volatile.Read(ref _openUntilTicks);
        if (openUntil == 0)
        {
            return true;
        }

        return clock.GetUtcNow().UtcTicks >= openUntil && Interlocked.CompareExchange(ref _trialInProgress, 1, 0) == 0;
    }

    private void Succeeded()
    {
        if (Interlocked.Exchange(ref _openUntilTicks, 0) != 0)
        {
            LogClosed(logger);
        }

        Interlocked.Exchange(ref _trialInProgress, 0);
    }

    private void Failed(Exception exception)
    {
        var breakDuration = options.Value.CacheBreakDuration;
        var wasClosed = Interlocked.Exchange(ref _openUntilTicks, (clock.GetUtcNow() + breakDuration).UtcTicks) == 0;
        Interlocked.Exchange(ref _trialInProgress, 0);
        if (wasClosed)
        {
            // Once per outage, not once per request: the reads themselves go on from the database.
            LogOpened(logger, exception, breakDuration.TotalSeconds);
        }
    }

    private void RememberEviction(string key)
    {
        if (_pendingEvictions.Count < MaxPendingEvictions)
        {
            _pendingEvictions.TryAdd(key, 0);
        }
        else
        {
            LogEvictionDropped(logger, key);
        }
    }

    private void SendPendingEvictions()
    {
        foreach (var key in _pendingEvictions.Keys)
        {
            redis.Remove(key);
            _pendingEvictions.TryRemove(key, out _);
        }
    }

    private async ValueTask SendPendingEvictionsAsync(CancellationToken cancellationToken)
    {
        foreach (var key in _pendingEvictions.Keys)
        {
            await redis.RemoveAsync(key, cancellationToken);
            _pendingEvictions.TryRemove(key, out _);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis failed; the cache skips it for {Seconds} s and reads go to the database")]
    private static partial void LogOpened(ILogger logger, Exception exception, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Redis answers again; the cache uses it")]
    private static partial void LogClosed(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Too many evictions are waiting for Redis; {Key} will expire instead")]
    private static partial void LogEvictionDropped(ILogger logger, string key);
}
