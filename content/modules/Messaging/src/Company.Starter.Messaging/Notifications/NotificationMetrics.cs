using System.Diagnostics.Metrics;

namespace Company.Starter.Messaging.Notifications;

/// <summary>
/// The notification stream's metrics, on the messaging module's meter (<c>Company.Starter.Messaging</c>, which
/// ServiceDefaults collects). Created through <see cref="IMeterFactory"/> so that tests observe them without a global
/// listener. A rise of <c>messaging.notifications.publish_failed</c> is the only trace of notifications lost to a Redis
/// outage: alert on it rather than on the warnings.
/// </summary>
public sealed class NotificationMetrics
{
    public const string MeterName = "Company.Starter.Messaging";
    public const string PublishFailedName = "messaging.notifications.publish_failed";
    public const string SubscribersSweptName = "messaging.notifications.subscribers_swept";
    public const string SubscribersRefusedName = "messaging.notifications.subscribers_refused";

    private readonly Counter<long> _published;
    private readonly Counter<long> _publishFailed;
    private readonly Counter<long> _delivered;
    private readonly Counter<long> _reclaimed;
    private readonly UpDownCounter<long> _openStreams;
    private readonly Counter<long> _subscribersSwept;
    private readonly Counter<long> _subscribersRefused;

    public NotificationMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _published = meter.CreateCounter<long>("messaging.notifications.published", unit: "{notification}", description: "Notifications added to the Redis stream.");
        _publishFailed = meter.CreateCounter<long>(PublishFailedName, unit: "{notification}", description: "Notifications lost because Redis did not take them (best effort: the effect they describe stands).");
        _delivered = meter.CreateCounter<long>("messaging.notifications.delivered", unit: "{notification}", description: "Notifications written to a browser's stream and acknowledged.");
        _reclaimed = meter.CreateCounter<long>("messaging.notifications.reclaimed", unit: "{notification}", description: "Notifications of a dead connection claimed (XAUTOCLAIM) and sent again.");
        _openStreams = meter.CreateUpDownCounter<long>("messaging.notifications.open_streams", unit: "{stream}", description: "Server-Sent Events streams open in this instance.");
        _subscribersSwept = meter.CreateCounter<long>(SubscribersSweptName, unit: "{subscriber}", description: "Consumer groups of subscribers idle for SubscriberIdleTimeout, destroyed.");
        _subscribersRefused = meter.CreateCounter<long>(SubscribersRefusedName, unit: "{subscriber}", description: "New subscribers refused because the stream had MaxSubscribers groups.");
    }

    public void Published(string kind) => _published.Add(1, new KeyValuePair<string, object?>("notification.kind", kind));

    public void PublishFailed(string kind) => _publishFailed.Add(1, new KeyValuePair<string, object?>("notification.kind", kind));

    public void Delivered() => _delivered.Add(1);

    public void Reclaimed(int count) => _reclaimed.Add(count);

    public void StreamOpened() => _openStreams.Add(1);

    public void StreamClosed() => _openStreams.Add(-1);

    public void SubscribersSwept(int count) => _subscribersSwept.Add(count);

    public void SubscriberRefused() => _subscribersRefused.Add(1);
}
