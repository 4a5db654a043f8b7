using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Company.Starter.Messaging.Notifications;

/// <summary>
/// Runs <see cref="NotificationSubscribers.SweepAsync"/> every <see cref="NotificationOptions.SubscriberSweepInterval"/>,
/// first one interval after the start (a process that lives shorter than that never needed to sweep). Every instance of
/// the API and the worker sweeps: the sweep is idempotent, and any one of them left running keeps the groups bounded.
/// </summary>
public sealed partial class NotificationSubscriberSweeper(
    NotificationSubscribers subscribers,
    IOptions<NotificationOptions> options,
    TimeProvider clock,
    ILogger<NotificationSubscriberSweeper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SubscriberSweepInterval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await subscribers.SweepAsync(stoppingToken);
                }
                catch (Exception exception) when (exception is RedisException or TimeoutException)
                {
                    // Redis is down: nothing grows meanwhile either (no group can be created); the next tick retries.
                    LogSweepFailed(logger, exception);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The sweep of idle notification subscribers failed; it runs again at the next interval")]
    private static partial void LogSweepFailed(ILogger logger, Exception exception);
}
