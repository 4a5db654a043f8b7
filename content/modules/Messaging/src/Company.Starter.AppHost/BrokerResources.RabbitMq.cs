namespace Aspire.Hosting;

/// <summary>The broker as an Aspire resource: RabbitMQ in a container, with its management UI.</summary>
internal static class BrokerResources
{
    /// <summary>RabbitMQ through Aspire's integration: a generated password, a health check, the management plugin.</summary>
    public static IResourceBuilder<RabbitMQServerResource> AddBroker(this IDistributedApplicationBuilder builder) =>
        builder.AddRabbitMQ("rabbitmq").WithManagementPlugin();

    /// <summary>Gives <paramref name="project"/> the AMQP URI (<c>ConnectionStrings:rabbitmq</c>) and starts it once RabbitMQ is healthy.</summary>
    public static IResourceBuilder<ProjectResource> WithBroker(
        this IResourceBuilder<ProjectResource> project, IResourceBuilder<RabbitMQServerResource> broker) =>
        project.WithReference(broker).WaitFor(broker);
}
