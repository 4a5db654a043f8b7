using Company.Starter.Data;
using Company.Starter.Messaging.Consumers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Company.Starter.Messaging.Notifications;

/// <summary>
/// Publishes notifications to the Redis stream the browsers read (<c>XADD ... MAXLEN ~ n</c>), on the process's one
/// Redis connection (Data's <see cref="RedisConnection"/>).
/// </summary>
/// <remarks>
/// A failure to publish is logged at Warning, counted (<see cref="NotificationMetrics.PublishFailedName"/>) and not
/// thrown: <see cref="INotificationPublisher"/> is best effort by contract. The caller calls it after the effect the
/// notification describes committed; throwing would make a consumer retry (or dead-letter) a message whose effect
/// already happened, for the sake of a toast. Only the caller's own cancellation is passed on.
/// </remarks>
public sealed partial class RedisStreamNotifications(
    RedisConnection redis,
    NotificationStream stream,
    IOptions<NotificationOptions> options,
    NotificationMetrics metrics,
    ILogger<RedisStreamNotifications> logger) : INotificationPublisher
{
    public async ValueTask PublishAsync(Notification notification, CancellationToken cancellationToken)
    {
        try
        {
            var connection = await redis.GetAsync().WaitAsync(cancellationToken);
            // Approximate trimming (~) lets Redis drop whole nodes of the stream: far cheaper than an exact MAXLEN.
            await connection.GetDatabase().StreamAddAsync(
                stream.Key, NotificationStream.ToFields(notification), maxLength: options.Value.MaxLength, useApproximateMaxLength: true);
            metrics.Published(notification.Kind);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Deliberately swallowed (see the remarks): best effort by contract, and never silent.
            metrics.PublishFailed(notification.Kind);
            LogPublishFailed(logger, exception, notification.Kind, notification.Subject);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Notification {Kind} of {Subject} was not published to Redis; the browsers will not see it")]
    private static partial void LogPublishFailed(ILogger logger, Exception exception, string kind, string subject);
}
