using System.Globalization;
using Company.Starter.Data;
using Company.Starter.Messaging.Consumers;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Company.Starter.Messaging.Notifications;

/// <summary>
/// The notification stream's layout in Redis, shared by the publisher and the readers: its key, the fields of an entry
/// (<c>kind</c>, <c>subject</c>, <c>message</c>, <c>severity</c>, <c>occurredAt</c>) and the consumer group of a subscriber.
/// </summary>
public sealed class NotificationStream(IOptions<DataOptions> data, IOptions<NotificationOptions> options)
{
    private const string KindField = "kind";
    private const string SubjectField = "subject";
    private const string MessageField = "message";
    private const string SeverityField = "severity";
    private const string OccurredAtField = "occurredAt";

    /// <summary>The stream's key: <c>Data:CacheKeyPrefix</c> then <c>Messaging:Notifications:StreamKey</c>.</summary>
    public RedisKey Key { get; } = data.Value.CacheKeyPrefix + options.Value.StreamKey;

    /// <summary>
    /// The sorted set of the stream's subscribers (consumer group names), scored by when each was last seen (Unix
    /// milliseconds): what the idle sweep and the subscriber cap read (see <see cref="NotificationSubscribers"/>).
    /// </summary>
    public RedisKey SubscribersKey { get; } = data.Value.CacheKeyPrefix + options.Value.StreamKey + ":subscribers";

    /// <summary>The consumer group of a browser that names itself (a subscriber id it keeps, e.g. in localStorage).</summary>
    public static string GroupOfSubscriber(string subscriber) => "subscriber:" + subscriber;

    /// <summary>The consumer group of a signed-in user, one per <paramref name="subscriber"/> (device, tab) where given.</summary>
    public static string GroupOfUser(string userId, string? subscriber) =>
        subscriber is null ? "user:" + userId : $"user:{userId}:{subscriber}";

    public static NameValueEntry[] ToFields(Notification notification) =>
    [
        new(KindField, notification.Kind),
        new(SubjectField, notification.Subject),
        new(MessageField, notification.Message),
        new(SeverityField, notification.Severity),
        new(OccurredAtField, notification.OccurredAt.ToString("O", CultureInfo.InvariantCulture)),
    ];

    /// <summary>
    /// The notification an entry holds, or null for an entry that holds none: one trimmed away (<c>MAXLEN</c>) while it
    /// was pending comes back from a claim without fields, and an entry someone else added may lack ours.
    /// </summary>
    public static Notification? FromEntry(StreamEntry entry)
    {
        if (entry.IsNull || entry.Values is not { Length: > 0 })
        {
            return null;
        }

        var kind = entry[KindField];
        var occurredAt = entry[OccurredAtField];
        if (kind.IsNullOrEmpty || !DateTimeOffset.TryParse(occurredAt.ToString(), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var when))
        {
            return null;
        }

        return new Notification(kind!, entry[SubjectField].ToString(), entry[MessageField].ToString(), entry[SeverityField].ToString(), when);
    }
}
