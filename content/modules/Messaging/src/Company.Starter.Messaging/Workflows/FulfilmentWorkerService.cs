using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Temporalio.Client;
using Temporalio.Extensions.Hosting;
using Temporalio.Worker;

namespace Company.Starter.Messaging.Workflows;

/// <summary>
/// Runs the fulfilment worker (the workflow and activities registered on the Temporal hosting package's options
/// builder) and, unlike the package's own TemporalWorkerService, waits for Temporal instead of failing: a worker host
/// also publishes the outbox and consumes the broker, and an optional Temporal that is down at start must not stop
/// those. It connects with exponential backoff (1 s doubling to 1 min), a warning per failed attempt, then polls until
/// the host stops. A fatal worker error still ends the host, as any background service's does. The worker's options
/// are the ones the hosting package's options builder keeps under <see cref="OptionsName"/>.
/// </summary>
public sealed partial class FulfilmentWorkerService(
    string optionsName,
    IOptionsMonitor<TemporalWorkerServiceOptions> workerOptions,
    IOptions<FulfilmentOptions> options,
    ILoggerFactory loggerFactory,
    TimeProvider clock) : BackgroundService
{
    private static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LongestRetry = TimeSpan.FromMinutes(1);

    private readonly ILogger _logger = loggerFactory.CreateLogger<FulfilmentWorkerService>();

    /// <summary>The name of the <see cref="TemporalWorkerServiceOptions"/> this service runs.</summary>
    public string OptionsName => optionsName;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var worker = (TemporalWorkerServiceOptions)workerOptions.Get(optionsName).Clone();
        worker.LoggerFactory ??= loggerFactory;

        var client = await ConnectAsync(settings, stoppingToken);
        LogPolling(_logger, settings.TargetHost, settings.Namespace, settings.TaskQueue);
        using var temporalWorker = new TemporalWorker(client, worker);
        try
        {
            await temporalWorker.ExecuteAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping: the worker finished its shutdown.
        }
    }

    private async Task<TemporalClient> ConnectAsync(FulfilmentOptions settings, CancellationToken stoppingToken)
    {
        var retry = FirstRetry;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await TemporalClient.ConnectAsync(new TemporalClientConnectOptions(settings.TargetHost!)
                {
                    Namespace = settings.Namespace,
                    LoggerFactory = loggerFactory,
                }).WaitAsync(settings.RequestTimeout, clock, stoppingToken);
            }
            catch (Exception failure) when (!stoppingToken.IsCancellationRequested && failure is InvalidOperationException or TimeoutException)
            {
                LogUnreachable(_logger, settings.TargetHost, attempt, retry, failure);
            }

            await Task.Delay(retry, clock, stoppingToken);
            retry = TimeSpan.FromTicks(Math.Min(retry.Ticks * 2, LongestRetry.Ticks));
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The Temporal server at {TargetHost} cannot be reached (attempt {Attempt}); the fulfilment worker retries in {Retry}")]
    private static partial void LogUnreachable(ILogger logger, string? targetHost, int attempt, TimeSpan retry, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "The fulfilment worker polls {TargetHost}, namespace {Namespace}, task queue {TaskQueue}")]
    private static partial void LogPolling(ILogger logger, string? targetHost, string @namespace, string taskQueue);
}
