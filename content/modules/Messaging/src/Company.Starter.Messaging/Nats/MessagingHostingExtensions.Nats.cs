using Company.Starter.Messaging.Nats;
using Company.Starter.Messaging.Transport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.Hosting;

public static partial class MessagingHostingExtensions
{
    /// <remarks>
    /// The transport owns its NatsConnection (connected on first use, so a server that is down does not stop the worker
    /// from starting while the outbox holds the events) and its JetStream context; its readiness check pings through it.
    /// </remarks>
    static partial void AddBroker(IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<NatsOptions>()
            .BindConfiguration(NatsOptions.SectionName)
            .Configure<IConfiguration>((options, configuration) => options.ConnectionString ??= configuration.GetConnectionString("nats"))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<NatsOptions>, NatsRetryBudget>();

        builder.Services.AddSingleton<NatsTransport>();
        builder.Services.AddSingleton<IMessageTransport>(services => services.GetRequiredService<NatsTransport>());
        builder.Services.AddHealthChecks().AddCheck<NatsHealthCheck>("nats", tags: ["ready"]);
    }
}
