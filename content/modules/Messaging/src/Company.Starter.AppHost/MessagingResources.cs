namespace Aspire.Hosting;

/// <summary>
/// The messaging module's resources: the broker (BrokerResources.&lt;Broker&gt;.cs), a Temporal development server and
/// the worker that publishes the outbox, consumes the broker and runs the workflows.
/// </summary>
internal static class MessagingResources
{
    /// <summary>
    /// A Temporal development server (one process with its UI on 8233, state in memory): the workflows' engine for a
    /// developer's machine. Production points <c>ConnectionStrings:temporal</c> at a Temporal cluster or Temporal Cloud.
    /// </summary>
    public static IResourceBuilder<ContainerResource> AddTemporalDevServer(this IDistributedApplicationBuilder builder) =>
        // The image of the Temporal CLI; pin the version your team tests with.
        builder.AddContainer("temporal", "temporalio/temporal", "latest")
            .WithArgs("server", "start-dev", "--ip", "0.0.0.0")
            .WithEndpoint(targetPort: 7233, name: "grpc", scheme: "tcp")
            .WithHttpEndpoint(targetPort: 8233, name: "ui");

    /// <summary>Gives <paramref name="project"/> the Temporal frontend's address (<c>ConnectionStrings:temporal</c>).</summary>
    public static IResourceBuilder<ProjectResource> WithTemporal(
        this IResourceBuilder<ProjectResource> project, IResourceBuilder<ContainerResource> temporal) =>
        project.WithEnvironment("ConnectionStrings__temporal", temporal.GetEndpoint("grpc").Property(EndpointProperty.HostAndPort))
            .WaitFor(temporal);
}
