namespace Aspire.Hosting;

/// <summary>The broker as an Aspire resource: a NATS server with JetStream in a container.</summary>
internal static class BrokerResources
{
    /// <summary>NATS with JetStream on (<c>-js</c>); its streams live in the container, enough for a developer's machine.</summary>
    public static IResourceBuilder<ContainerResource> AddBroker(this IDistributedApplicationBuilder builder) =>
        builder.AddContainer("nats", "nats", "2.11")
            .WithArgs("-js")
            .WithEndpoint(targetPort: 4222, name: "client", scheme: "tcp");

    /// <summary>Gives <paramref name="project"/> the server's URL (<c>ConnectionStrings:nats</c>) and starts it after the server.</summary>
    public static IResourceBuilder<ProjectResource> WithBroker(
        this IResourceBuilder<ProjectResource> project, IResourceBuilder<ContainerResource> broker) =>
        project.WithEnvironment("ConnectionStrings__nats", ReferenceExpression.Create($"nats://{broker.GetEndpoint("client").Property(EndpointProperty.HostAndPort)}"))
            .WaitFor(broker);
}
