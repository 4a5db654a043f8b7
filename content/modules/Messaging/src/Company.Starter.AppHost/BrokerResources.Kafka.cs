namespace Aspire.Hosting;

/// <summary>The broker as an Aspire resource: a single-node Kafka (KRaft, no ZooKeeper) in a container.</summary>
internal static class BrokerResources
{
    /// <summary>
    /// Apache Kafka's own image in its single-node default configuration. Its listener advertises
    /// <c>localhost:9092</c>, so the host port is fixed at 9092 for clients outside the container network.
    /// </summary>
    public static IResourceBuilder<ContainerResource> AddBroker(this IDistributedApplicationBuilder builder) =>
        builder.AddContainer("kafka", "apache/kafka", "4.0.0")
            .WithEndpoint(port: 9092, targetPort: 9092, name: "broker", scheme: "tcp");

    /// <summary>Gives <paramref name="project"/> the bootstrap servers (<c>ConnectionStrings:kafka</c>) and starts it after the broker.</summary>
    public static IResourceBuilder<ProjectResource> WithBroker(
        this IResourceBuilder<ProjectResource> project, IResourceBuilder<ContainerResource> broker) =>
        project.WithEnvironment("ConnectionStrings__kafka", broker.GetEndpoint("broker").Property(EndpointProperty.HostAndPort))
            .WaitFor(broker);
}
