using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Company.Starter.Testing;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Company.Starter.Api.Tests;

/// <summary>
/// Redis goes away while the app is otherwise healthy (a proxy in front of it is cut): the cache must cost little,
/// readiness must stay up, nothing may be lost, and the cache must be used again once Redis is back.
/// </summary>
public sealed class CacheOutageTests(TestEnvironment environment)
{
    /// <summary>The bound on reads while Redis is cut: 95% of cache misses answered within it (they go to the database).</summary>
    private static readonly TimeSpan ReadBound = TimeSpan.FromSeconds(1);

    private const int Reads = 20;

    /// <summary>Data:CacheBreakDuration's default: how long the cache skips Redis after a failure.</summary>
    private static readonly TimeSpan BreakDuration = TimeSpan.FromSeconds(15);

    private static CancellationToken CancellationToken => TestContext.Current.CancellationToken;

    [Fact]
    public async Task With_Redis_cut_reads_stay_fast_health_stays_ready_and_the_cache_comes_back()
    {
        var redisConnectionString = await environment.Cache.GetConnectionStringAsync(CancellationToken);
        var (redisHost, redisPort) = Endpoint(redisConnectionString);
        await using var proxy = new TcpProxy(redisHost, redisPort);
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var prefix = $"test-{Guid.NewGuid():N}:";
        await using var api = await ApiFactory.StartAsync(
            environment,
            services => services.AddSingleton<TimeProvider>(clock),
            new Dictionary<string, string?> { ["ConnectionStrings:redis"] = $"127.0.0.1:{proxy.Port}", ["Data:CacheKeyPrefix"] = prefix });
        using var client = api.CreateClient();
        client.Timeout = TimeSpan.FromSeconds(30);
        await using var redis = await ConnectionMultiplexer.ConnectAsync(redisConnectionString); // beside the proxy, as a witness
        string CacheKey(long id) => $"{prefix}product:{id}";

        // Before the cut: a read puts the product in Redis.
        var before = await CreateAsync(client, "BEFORE-1", "Before");
        await ReadNameAsync(client, before);
        Assert.True(await EventuallyAsync(() => redis.GetDatabase().KeyExistsAsync(CacheKey(before))), "The cache never wrote to Redis");
        Assert.True(proxy.AcceptedConnections > 0, "The app did not connect to Redis through the proxy");

        proxy.Cut();

        // Writes during the outage go to the database, as always; one updates the product Redis still holds.
        var during = new List<long>();
        for (var i = 0; i < Reads; i++)
        {
            during.Add(await CreateAsync(client, $"DURING-{i:D2}", $"During {i:D2}"));
        }

        var update = await client.PutAsJsonAsync($"/api/products/{before}", new { sku = "BEFORE-1", name = "Renamed during the outage", price = 2, version = 1 }, CancellationToken);
        await update.ReadDataAsync(HttpStatusCode.OK);

        // Reads of products no cache holds: each would try Redis first.
        var latencies = new List<TimeSpan>();
        foreach (var (id, i) in during.Select((id, i) => (id, i)))
        {
            var watch = Stopwatch.StartNew();
            Assert.Equal($"During {i:D2}", await ReadNameAsync(client, id));
            latencies.Add(watch.Elapsed);
        }

        var p95 = latencies.Order().ElementAt((int)Math.Ceiling(latencies.Count * 0.95) - 1);
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"Reads with Redis cut: p95 {p95.TotalMilliseconds:0.0} ms, max {latencies.Max().TotalMilliseconds:0.0} ms, median {latencies.Order().ElementAt(latencies.Count / 2).TotalMilliseconds:0.0} ms");
        Assert.True(p95 < ReadBound, $"p95 of {Reads} reads with Redis cut: {p95.TotalMilliseconds:0} ms (max {latencies.Max().TotalMilliseconds:0} ms)");

        // Readiness stays up, and says the cache is degraded.
        var healthWatch = Stopwatch.StartNew();
        using (var health = await client.GetAsync("/health", CancellationToken))
        {
            var elapsed = healthWatch.Elapsed;
            TestContext.Current.TestOutputHelper?.WriteLine($"/health with Redis cut: {(int)health.StatusCode} in {elapsed.TotalMilliseconds:0.0} ms");
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
            Assert.Equal("Degraded", await health.Content.ReadAsStringAsync(CancellationToken));
            Assert.True(elapsed < ReadBound, $"/health took {elapsed.TotalMilliseconds:0} ms with Redis cut");
        }

        // Nothing was lost: every write is there.
        var list = await (await client.GetAsync("/api/products?limit=100", CancellationToken)).ReadDataAsync(HttpStatusCode.OK);
        Assert.Equal(Reads + 1, list.GetProperty("data").GetArrayLength());

        proxy.Restore();

        // Once the break is over (the clock is the test's) and the client has reconnected, reads use Redis again. Each
        // try reads a new product: one read before is in the in-process cache and would not touch Redis.
        var tries = 0;
        var used = await EventuallyAsync(async () =>
        {
            clock.Advance(BreakDuration);
            var id = await CreateAsync(client, $"AFTER-{tries++:D2}", "After");
            await ReadNameAsync(client, id);
            return await redis.GetDatabase().KeyExistsAsync(CacheKey(id));
        });
        Assert.True(used, "The cache did not use Redis again after it came back");

        // The update made during the outage is what a read sees, not the entry Redis kept from before it.
        Assert.Equal("Renamed during the outage", await ReadNameAsync(client, before));

        clock.Advance(TimeSpan.FromMinutes(1)); // past the /health report's cache
        using var healthy = await client.GetAsync("/health", CancellationToken);
        Assert.Equal("Healthy", await healthy.Content.ReadAsStringAsync(CancellationToken));
    }

    private static async Task<long> CreateAsync(HttpClient client, string sku, string name)
    {
        var response = await client.PostAsJsonAsync("/api/products", new { sku, name, price = 1 }, CancellationToken);
        return (await response.ReadDataAsync(HttpStatusCode.Created)).GetProperty("data").GetProperty("id").GetInt64();
    }

    private static async Task<string?> ReadNameAsync(HttpClient client, long id) =>
        (await (await client.GetAsync($"/api/products/{id}", CancellationToken)).ReadDataAsync(HttpStatusCode.OK))
            .GetProperty("data").GetProperty("name").GetString();

    /// <summary>Polls <paramref name="condition"/> for up to 20 s: for what happens in the background (a reconnect, a write).</summary>
    private static async Task<bool> EventuallyAsync(Func<Task<bool>> condition)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(20))
        {
            if (await condition())
            {
                return true;
            }

            await Task.Delay(200, CancellationToken);
        }

        return false;
    }

    private static (string Host, int Port) Endpoint(string connectionString) =>
        ConfigurationOptions.Parse(connectionString).EndPoints.Single() switch
        {
            DnsEndPoint dns => (dns.Host, dns.Port),
            IPEndPoint ip => (ip.Address.ToString(), ip.Port),
            var other => throw new InvalidOperationException($"Unexpected Redis endpoint {other}"),
        };
}
