namespace Microsoft.Extensions.Hosting;

public static partial class MessagingHostingExtensions
{
    /// <summary>The worker's part: everything <see cref="AddMessaging{TBuilder}"/> registers, the broker, the relay, the consumers, the workflows.</summary>
    public static TBuilder AddMessagingWorker<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.AddMessaging();
        AddBroker(builder);
        builder.AddFulfilmentWorker();
        return builder;
    }

    /// <summary>
    /// The broker's transport, options and health check, in the broker's own folder (Kafka/, RabbitMq/ or Nats/:
    /// MessagingHostingExtensions.&lt;Broker&gt;.cs); the template keeps the one the solution was generated with.
    /// </summary>
    static partial void AddBroker(IHostApplicationBuilder builder);
}
