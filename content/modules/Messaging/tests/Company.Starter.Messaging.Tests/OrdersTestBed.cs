using Company.Starter.Data;
using Company.Starter.Messaging.Orders;
using Company.Starter.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Company.Starter.Messaging.Tests;

/// <summary>
/// One test's world: a migrated database of its own, a destination and consumer group of its own on the broker, and
/// the API's side of the module (AddData + AddMessaging, as the API registers it) to place orders and to count what
/// became of them. Workers are started against the same settings (<see cref="StartWorker"/>, or as a process).
/// </summary>
public sealed class OrdersTestBed : IAsyncDisposable
{
    private readonly AppSettings _appSettings;
    private readonly IHost _api;

    private OrdersTestBed(AppSettings appSettings, Dictionary<string, string?> settings, IHost api)
    {
        _appSettings = appSettings;
        Settings = settings;
        _api = api;
    }

    /// <summary>Every setting a worker needs: the database, the cache, the broker, the test's destination and group.</summary>
    public IReadOnlyDictionary<string, string?> Settings { get; }

    public string Destination => Settings["Messaging:OrdersDestination"]!;

    public string ConsumerGroup => Settings["Messaging:ConsumerGroup"]!;

    public static async Task<OrdersTestBed> CreateAsync(TestEnvironment environment, BrokerServer broker)
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var brokerSettings = await broker.CreateSettingsAsync(cancellationToken);
        var appSettings = await environment.CreateAppSettingsAsync(cancellationToken);
        var settings = new Dictionary<string, string?>(appSettings.Values);
        foreach (var (key, value) in brokerSettings)
        {
            settings[key] = value;
        }

        foreach (var (key, value) in FastTestSettings)
        {
            settings.TryAdd(key, value);
        }

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = Environments.Production });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddData();
        builder.AddMessaging();
        var api = builder.Build();
        try
        {
            // As production does it: the migrate step before any app or worker starts.
            await api.Services.MigrateDatabaseAsync(cancellationToken);
        }
        catch
        {
            api.Dispose();
            await appSettings.DisposeAsync();
            throw;
        }

        return new OrdersTestBed(appSettings, settings, api);
    }

    /// <summary>
    /// Shorter waits than production's, so that a test sees a retry or a failure in moments. Keys of a broker the
    /// solution does not use are ignored (nothing binds them).
    /// </summary>
    private static readonly Dictionary<string, string?> FastTestSettings = new()
    {
        ["Messaging:Relay:PollInterval"] = "00:00:00.050",
        ["Messaging:Relay:MaxBackoff"] = "00:00:00.500",
        ["Messaging:Consumer:RetryBaseDelay"] = "00:00:00.010",
        ["Messaging:Consumer:RetryMaxDelay"] = "00:00:00.100",
        ["Messaging:Consumer:RestartMaxDelay"] = "00:00:01",
        // Kafka: a publish to an unreachable broker fails after 2 s instead of 30, and the group hands a killed
        // worker's partitions on after 6 s instead of 45.
        ["Messaging:Kafka:MessageTimeout"] = "00:00:02",
        ["Messaging:Kafka:SessionTimeout"] = "00:00:06",
    };

    /// <summary>A worker in this process (its Program, with the test's settings and <paramref name="overrides"/>).</summary>
    public WorkerFactory StartWorker(IReadOnlyDictionary<string, string?>? overrides = null, Action<IServiceCollection>? configureServices = null)
    {
        var settings = new Dictionary<string, string?>(Settings);
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        var worker = new WorkerFactory(settings, configureServices);
        _ = worker.Services; // starts the host: the relay and the consumers run from here on
        return worker;
    }

    /// <summary>Places orders as the API does (OrderService: the order and its event in one transaction).</summary>
    public async Task<List<Guid>> PlaceOrdersAsync(int count, CancellationToken cancellationToken = default)
    {
        var ids = new List<Guid>(count);
        for (var i = 0; i < count; i++)
        {
            await using var scope = _api.Services.CreateAsyncScope();
            var orders = scope.ServiceProvider.GetRequiredService<OrderService>();
            var order = await orders.PlaceAsync(new OrderInput($"customer-{i % 7}", $"SKU-{i % 13}", 1 + (i % 3), 9.99m), cancellationToken);
            ids.Add(order.Id);
        }

        return ids;
    }

    /// <summary>A unit of work on the test's database, as the API or the worker has one.</summary>
    public async Task<T> QueryAsync<T>(Func<MessagingDbContext, Task<T>> query)
    {
        await using var scope = _api.Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<MessagingDbContext>());
    }

    public Task<OrderCounts> CountAsync() => QueryAsync(async db => new OrderCounts(
        Orders: await db.Orders.CountAsync(),
        Receipts: await db.Receipts.CountAsync(),
        OrdersWithReceipt: await db.Receipts.Select(r => r.OrderId).Distinct().CountAsync(),
        Inbox: await db.InboxMessages.CountAsync(),
        Unsent: await db.OutboxMessages.CountAsync(m => m.SentAt == null),
        Confirmed: await db.Orders.CountAsync(o => o.Status == OrderStatus.Confirmed)));

    /// <summary>Polls the counts until <paramref name="condition"/> holds; fails with the last counts after <paramref name="timeout"/>.</summary>
    public async Task<OrderCounts> WaitUntilAsync(Func<OrderCounts, bool> condition, TimeSpan timeout, string what, Func<string>? detail = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var counts = await CountAsync();
            if (condition(counts))
            {
                return counts;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Not within {timeout}: {what}. Last counts: {counts}{detail?.Invoke()}");
            }

            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _api.Dispose();
        await _appSettings.DisposeAsync();
    }
}

/// <summary>What the database says: orders placed, receipts issued, inbox rows, events still unsent, orders confirmed.</summary>
public sealed record OrderCounts(int Orders, int Receipts, int OrdersWithReceipt, int Inbox, int Unsent, int Confirmed);
