using Company.Starter.Messaging;
using Company.Starter.Messaging.Consumers;
using Company.Starter.Messaging.Inbox;
using Company.Starter.Messaging.Outbox;
using Company.Starter.Messaging.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.Hosting;

public static partial class MessagingHostingExtensions
{
    /// <summary>
    /// The worker's part: everything <see cref="AddMessaging{TBuilder}"/> registers, the broker, the outbox relay, the
    /// consumers with their retries and dead letters, the workflows.
    /// </summary>
    public static TBuilder AddMessagingWorker<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.AddMessaging();
        AddBroker(builder);

        builder.Services.TryAddSingleton<MessagingTelemetry>();

        builder.Services.AddOptions<RelayOptions>()
            .BindConfiguration(RelayOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddHostedService<OutboxRelay>();

        builder.Services.AddOptions<ConsumerOptions>()
            .BindConfiguration(ConsumerOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        AddConsumer<OrderPlacedHandler>(builder.Services, messaging => messaging.OrdersDestination);
        builder.Services.AddSingleton<InboxCleanup>();
        builder.Services.AddHostedService(services => services.GetRequiredService<InboxCleanup>());

        builder.AddFulfilmentWorker();
        return builder;
    }

    /// <summary>
    /// A handler consuming a destination as the worker's consumer group: its pipeline runs as a hosted service of its
    /// own, so a slow or failing subscription never holds up another.
    /// </summary>
    private static void AddConsumer<THandler>(IServiceCollection services, Func<MessagingOptions, string> destination)
        where THandler : class, IMessageHandler
    {
        services.AddScoped<THandler>();
        services.AddSingleton(provider =>
        {
            var messaging = provider.GetRequiredService<IOptions<MessagingOptions>>().Value;
            return new ConsumerSubscription<THandler>(destination(messaging), messaging.ConsumerGroup);
        });
        services.AddHostedService<MessageConsumer<THandler>>();
    }

    /// <summary>
    /// The broker's transport, options and health check, in the broker's own folder (Kafka/, RabbitMq/ or Nats/:
    /// MessagingHostingExtensions.&lt;Broker&gt;.cs); the template keeps the one the solution was generated with.
    /// </summary>
    static partial void AddBroker(IHostApplicationBuilder builder);
}
