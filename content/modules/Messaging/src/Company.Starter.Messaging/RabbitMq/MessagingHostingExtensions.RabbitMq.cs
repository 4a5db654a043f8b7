using Company.Starter.Messaging.RabbitMq;
using Company.Starter.Messaging.Transport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.Hosting;

public static partial class MessagingHostingExtensions
{
    /// <remarks>
    /// The plain RabbitMQ.Client rather than Aspire.RabbitMQ.Client: the transport owns its one connection (opened on
    /// first use, so a broker that is down does not stop the worker from starting while the outbox holds the events)
    /// and its channels with confirm tracking, which Aspire's component would register as a connection opened at
    /// resolution. Its readiness check is the transport's own.
    /// </remarks>
    static partial void AddBroker(IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<RabbitMqOptions>()
            .BindConfiguration(RabbitMqOptions.SectionName)
            .Configure<IConfiguration>((options, configuration) => options.ConnectionString ??= configuration.GetConnectionString("rabbitmq"))
            .ValidateDataAnnotations()
            .ValidateOnStart();

        builder.Services.AddSingleton<RabbitMqTransport>();
        builder.Services.AddSingleton<IMessageTransport>(services => services.GetRequiredService<RabbitMqTransport>());
        builder.Services.AddHealthChecks().AddCheck<RabbitMqHealthCheck>("rabbitmq", tags: ["ready"]);
    }
}
