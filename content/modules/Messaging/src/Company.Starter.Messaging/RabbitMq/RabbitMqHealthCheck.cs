using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Company.Starter.Messaging.RabbitMq;

/// <summary>Readiness: the worker's connection to RabbitMQ is open (opened here if it was not yet).</summary>
public sealed class RabbitMqHealthCheck(RabbitMqTransport transport) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            return await transport.IsConnectedAsync(cancellationToken)
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy("The RabbitMQ connection is closed (automatic recovery is reconnecting).");
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy("RabbitMQ is unreachable.", exception);
        }
    }
}
