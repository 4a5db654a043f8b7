namespace Company.Starter.Messaging.Consumers;

/// <summary>
/// Tells the people watching (the browser's toasts and live tables) that something happened. Best effort by design: a
/// notification is sent after the effect it describes committed, and a lost one never undoes or repeats that effect.
/// </summary>
public interface INotificationPublisher
{
    ValueTask PublishAsync(Notification notification, CancellationToken cancellationToken);
}

/// <summary>What the browser shows: a kind it can route on, the subject (an order's id), a message and a severity.</summary>
/// <param name="Kind">What happened (<c>order.confirmed</c>, <c>order.fulfilment.failed</c>).</param>
/// <param name="Subject">What it happened to (the order's id).</param>
/// <param name="Message">One human sentence.</param>
/// <param name="Severity">The design tokens' severity: <c>info</c>, <c>warning</c> or <c>error</c>.</param>
/// <param name="OccurredAt">When it happened.</param>
public sealed record Notification(string Kind, string Subject, string Message, string Severity, DateTimeOffset OccurredAt);

/// <summary>Where notifications go without a notification stream: nowhere.</summary>
internal sealed class NoNotifications : INotificationPublisher
{
    public ValueTask PublishAsync(Notification notification, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
