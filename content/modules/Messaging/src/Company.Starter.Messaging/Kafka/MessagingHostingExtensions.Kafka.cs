using Company.Starter.Messaging.Kafka;
using Company.Starter.Messaging.Transport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.Hosting;

// The Kafka broker (RabbitMq/ and Nats/ have their own file): the template keeps the one the solution was made with.
public static partial class MessagingHostingExtensions
{
    /// <summary>Validated <see cref="KafkaOptions"/>, the <see cref="KafkaTransport"/> and a readiness check on the cluster.</summary>
    static partial void AddBroker(IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<KafkaOptions>()
            .BindConfiguration(KafkaOptions.SectionName)
            .Configure<IConfiguration>((options, configuration) => options.BootstrapServers ??= configuration.GetConnectionString("kafka"))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<KafkaOptions>, KafkaRetryBudget>();

        // One producer for the process (the container disposes it last, flushing what is still in flight); the
        // consumers are per subscription.
        builder.Services.AddSingleton<KafkaTransport>();
        builder.Services.AddSingleton<IMessageTransport>(services => services.GetRequiredService<KafkaTransport>());

        builder.Services.AddHealthChecks().AddCheck<KafkaHealthCheck>("kafka", tags: ["ready"]);
    }
}
