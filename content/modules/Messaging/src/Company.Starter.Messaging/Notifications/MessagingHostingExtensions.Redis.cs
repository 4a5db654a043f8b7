using Company.Starter.Messaging.Consumers;
using Company.Starter.Messaging.Notifications;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.Hosting;

// The Redis stream that carries notifications to the browser, in a file of its own: a solution made without Redis
// leaves it (and the Notifications folder) out, and notifications go nowhere (NoNotifications).
public static partial class MessagingHostingExtensions
{
    static partial void AddNotifications(IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<NotificationOptions>()
            .BindConfiguration(NotificationOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        // On the process's one Redis connection (Data's RedisConnection, registered by AddData with Redis).
        builder.Services.AddSingleton<NotificationStream>();
        builder.Services.AddSingleton<NotificationMetrics>();
        builder.Services.AddSingleton<NotificationSubscribers>();
        builder.Services.AddSingleton<NotificationFeed>();
        // Destroys the groups of subscribers gone for SubscriberIdleTimeout: subscriber ids are the client's to invent.
        builder.Services.AddHostedService<NotificationSubscriberSweeper>();
        builder.Services.AddSingleton<RedisStreamNotifications>();
        // Before AddMessaging's TryAdd of NoNotifications, which then adds nothing.
        builder.Services.AddSingleton<INotificationPublisher>(provider => provider.GetRequiredService<RedisStreamNotifications>());
    }
}
