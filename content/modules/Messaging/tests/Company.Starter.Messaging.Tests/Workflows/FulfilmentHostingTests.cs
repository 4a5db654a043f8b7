using System.Collections.Concurrent;
using Company.Starter.Messaging.Workflows;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Temporalio.Extensions.Hosting;

namespace Company.Starter.Messaging.Tests.Workflows;

/// <summary>How the hosts compose the saga: optional Temporal, a worker only when it is configured, settings checked at start.</summary>
public sealed class FulfilmentHostingTests
{
    private static CancellationToken CancellationToken => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Without_temporal_the_worker_runs_no_workflows_and_says_once_how_to_turn_them_on()
    {
        var log = new RecordingLog();
        using var host = Build(log, temporal: null);

        await host.StartAsync(CancellationToken);
        await host.StopAsync(CancellationToken);

        Assert.DoesNotContain(host.Services.GetServices<IHostedService>(), service => service is FulfilmentWorkerService);
        Assert.IsType<UnavailableFulfilmentWorkflows>(host.Services.GetRequiredService<IFulfilmentWorkflows>());
        var notice = Assert.Single(log.Entries, entry => entry.Message.Contains("workflows are off", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Information, notice.Level);
        Assert.Contains("ConnectionStrings:temporal", notice.Message);
        Assert.DoesNotContain(log.Entries, entry => entry.Level >= LogLevel.Warning);
    }

    [Fact]
    public void With_temporal_the_worker_hosts_the_saga_and_the_api_gets_a_temporal_client()
    {
        // Nothing listens there: registering and resolving connect to nothing (the worker connects when it starts).
        using var host = Build(new RecordingLog(), temporal: "127.0.0.1:9");

        Assert.Contains(host.Services.GetServices<IHostedService>(), service => service is FulfilmentWorkerService);
        Assert.IsType<TemporalFulfilmentWorkflows>(host.Services.GetRequiredService<IFulfilmentWorkflows>());
        using var scope = host.Services.CreateScope();
        Assert.NotNull(scope.ServiceProvider.GetRequiredService<FulfilmentActivities>());
        Assert.Equal("127.0.0.1:9", host.Services.GetRequiredService<IOptions<FulfilmentOptions>>().Value.TargetHost);

        // What the worker service will poll with: the saga and its five activities, on the configured task queue.
        var service = host.Services.GetServices<IHostedService>().OfType<FulfilmentWorkerService>().Single();
        var worker = host.Services.GetRequiredService<IOptionsMonitor<TemporalWorkerServiceOptions>>().Get(service.OptionsName);
        Assert.Equal("order-fulfilment", worker.TaskQueue);
        Assert.Equal(typeof(FulfilmentWorkflow), Assert.Single(worker.Workflows).Type);
        Assert.Equal(
            ["ChargePayment", "RefundPayment", "ReleaseStock", "ReserveStock", "Ship"],
            worker.Activities.Select(activity => activity.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task With_temporal_down_the_worker_host_keeps_running_and_warns_while_it_retries()
    {
        var log = new RecordingLog();
        using var host = Build(log, temporal: "127.0.0.1:9");

        await host.StartAsync(CancellationToken);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!log.Entries.Any(entry => entry.Level == LogLevel.Warning && entry.Message.Contains("cannot be reached", StringComparison.Ordinal)))
        {
            Assert.True(DateTime.UtcNow < deadline, "No warning about the unreachable Temporal server:\n" + string.Join("\n", log.Entries));
            await Task.Delay(50, CancellationToken);
        }

        // Still running (a failed background service would have stopped the host), and it stops when asked.
        Assert.False(host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.IsCancellationRequested);
        await host.StopAsync(CancellationToken);
        Assert.DoesNotContain(log.Entries, entry => entry.Level >= LogLevel.Error);
    }

    [Theory]
    [InlineData("ConnectionStrings:temporal", "localhost")]
    [InlineData("Messaging:Fulfilment:TaskQueue", "order fulfilment")]
    [InlineData("Messaging:Fulfilment:Namespace", "")]
    [InlineData("Messaging:Fulfilment:RequestTimeout", "00:10:00")]
    public async Task A_bad_setting_stops_the_start_naming_it(string key, string value)
    {
        using var host = Build(new RecordingLog(), temporal: "127.0.0.1:9", (key, value));

        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(CancellationToken));

        Assert.Contains(key, failure.Message);
    }

    private static IHost Build(RecordingLog log, string? temporal, params (string Key, string Value)[] settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = Environments.Production });
        var values = settings.ToDictionary(setting => setting.Key, setting => (string?)setting.Value);
        if (temporal is not null)
        {
            values.TryAdd("ConnectionStrings:temporal", temporal);
        }

        builder.Configuration.AddInMemoryCollection(values);
        builder.Logging.ClearProviders().AddProvider(log);
        builder.AddFulfilmentClient();
        builder.AddFulfilmentWorker();
        return builder.Build();
    }

    private sealed record Entry(LogLevel Level, string Category, string Message);

    private sealed class RecordingLog : ILoggerProvider
    {
        private readonly ConcurrentQueue<Entry> _entries = new();

        public IReadOnlyCollection<Entry> Entries => _entries.ToArray();

        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _entries);

        public void Dispose()
        {
        }

        private sealed class Logger(string category, ConcurrentQueue<Entry> entries) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (IsEnabled(logLevel))
                {
                    entries.Enqueue(new Entry(logLevel, category, formatter(state, exception)));
                }
            }
        }
    }
}
