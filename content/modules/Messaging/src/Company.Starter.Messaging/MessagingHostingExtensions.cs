using Company.Starter.Messaging;
using Company.Starter.Messaging.Consumers;
using Company.Starter.Messaging.Orders;
using Company.Starter.Messaging.Outbox;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The messaging module as the hosts compose it. The API calls <see cref="AddMessaging{TBuilder}"/>: it writes orders
/// and their events to the outbox in one transaction and never talks to the broker. The worker calls
/// <see cref="AddMessagingWorker{TBuilder}"/> (MessagingWorkerExtensions.cs): the relay that publishes the outbox, the
/// consumers, the workflows.
/// </summary>
public static partial class MessagingHostingExtensions
{
    public static TBuilder AddMessaging<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddOptions<MessagingOptions>()
            .BindConfiguration(MessagingOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        // The orders, the outbox, the inbox and the receipts: tables in the app's database (AddData's), with a
        // migration history of their own that the migrate step applies after the app's.
        builder.Services.AddModuleDbContext<MessagingDbContext>(MessagingDbContext.MigrationsHistoryTable);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddScoped<OutboxWriter>();
        builder.Services.AddScoped<OrderService>();

        AddNotifications(builder);
        // Without the Redis notification stream (a solution made without Redis) notifications go nowhere.
        builder.Services.TryAddSingleton<INotificationPublisher, NoNotifications>();
        builder.AddFulfilmentClient();
        return builder;
    }

    /// <summary>
    /// The Redis stream that carries notifications to the browser (Notifications/MessagingHostingExtensions.Redis.cs);
    /// a solution without Redis leaves the file out and the call compiles to nothing.
    /// </summary>
    static partial void AddNotifications(IHostApplicationBuilder builder);
}
