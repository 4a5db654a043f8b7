using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Company.Starter.ServiceDefaults;

/// <summary>
/// The readiness report, run at most once per <see cref="ObservabilityOptions.HealthCacheDuration"/>. <c>/health</c>
/// answers anyone; without this, every call (or a flood of them) would run a database query and a Redis ping. Callers
/// that arrive while a run is in progress wait for that run instead of starting their own.
/// </summary>
public sealed class HealthReportCache(HealthCheckService checks, TimeProvider clock, IOptions<ObservabilityOptions> options)
{
    private readonly Lock _gate = new();
    private Task<HealthReport>? _report;
    private DateTimeOffset _expires;

    /// <summary>The latest report while it is fresh; otherwise a new run, shared with every caller until it is done.</summary>
    public Task<HealthReport> GetAsync(CancellationToken cancellationToken = default)
    {
        Task<HealthReport> report;
        lock (_gate)
        {
            if (_report is null || (_report.IsCompleted && clock.GetUtcNow() >= _expires))
            {
                _report = RunAsync();
            }

            report = _report;
        }

        // One caller giving up does not cancel the run the others wait for.
        return report.WaitAsync(cancellationToken);
    }

    private async Task<HealthReport> RunAsync()
    {
        // Yield first, so the run starts outside the lock.
        await Task.Yield();
        try
        {
            return await checks.CheckHealthAsync(CancellationToken.None);
        }
        finally
        {
            // Fresh from when the run ended: a slow run (a dependency timing out) is not run again at once.
            lock (_gate)
            {
                _expires = clock.GetUtcNow() + options.Value.HealthCacheDuration;
            }
        }
    }
}
