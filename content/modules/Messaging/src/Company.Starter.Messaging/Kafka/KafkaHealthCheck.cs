using Confluent.Kafka;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Company.Starter.Messaging.Kafka;

/// <summary>
/// Readiness: the cluster answers a metadata request within <see cref="KafkaOptions.HealthCheckTimeout"/>. It asks over
/// the transport's own producer, so it probes the connections the relay publishes on.
/// </summary>
public sealed class KafkaHealthCheck(KafkaTransport transport) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var servers = transport.Options.BootstrapServers;
        if (transport.FatalError is { } fatal)
        {
            return new HealthCheckResult(
                context.Registration.FailureStatus,
                $"The Kafka producer for {servers} failed for good ({fatal.Code}: {fatal.Reason}); restart the worker.");
        }

        try
        {
            // GetMetadata blocks for up to its timeout: off the request's thread.
            var metadata = await Task.Run(() =>
            {
                using var admin = new DependentAdminClientBuilder(transport.Handle).Build();
                return admin.GetMetadata(transport.Options.HealthCheckTimeout);
            }, cancellationToken);

            return metadata.Brokers.Count > 0
                ? HealthCheckResult.Healthy($"Kafka at {servers} answers with {metadata.Brokers.Count} broker(s).")
                : new HealthCheckResult(context.Registration.FailureStatus, $"Kafka at {servers} names no brokers.");
        }
        catch (KafkaException e)
        {
            // The outbox keeps the events meanwhile; the relay publishes them when the broker is back.
            return new HealthCheckResult(
                context.Registration.FailureStatus,
                $"Kafka at {servers} did not answer within {transport.Options.HealthCheckTimeout.TotalSeconds:0.#} s: {e.Error.Reason}",
                e);
        }
    }
}
