using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Company.Starter.Messaging.Nats;

/// <summary>Readiness: the worker's NATS connection is open and the server answers a ping.</summary>
public sealed class NatsHealthCheck(NatsTransport transport) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var roundTrip = await transport.PingAsync(cancellationToken);
            return HealthCheckResult.Healthy($"Ping {roundTrip.TotalMilliseconds:F1} ms.");
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy("NATS is unreachable.", exception);
        }
    }
}
