using System.Diagnostics.Metrics;
using Company.Starter.Messaging.Telemetry;
using Microsoft.Extensions.DependencyInjection;

namespace Company.Starter.Messaging.Tests;

/// <summary>
/// The messaging counters of ONE worker (its meter factory's, not those of other tests' workers running alongside):
/// published, handled, retried, dead-lettered.
/// </summary>
public sealed class WorkerMetrics : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly object _factory;
    private long _published;
    private long _handled;
    private long _retried;
    private long _deadLettered;

    public WorkerMetrics(IServiceProvider workerServices)
    {
        _factory = workerServices.GetRequiredService<IMeterFactory>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == MessagingTelemetry.Name && ReferenceEquals(instrument.Meter.Scope, _factory))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            switch (instrument.Name)
            {
                case "messaging.outbox.published": Interlocked.Add(ref _published, value); break;
                case "messaging.consumer.handled": Interlocked.Add(ref _handled, value); break;
                case "messaging.consumer.retried": Interlocked.Add(ref _retried, value); break;
                case "messaging.consumer.dead_lettered": Interlocked.Add(ref _deadLettered, value); break;
            }
        });
        _listener.Start();
    }

    public long Published => Interlocked.Read(ref _published);

    public long Handled => Interlocked.Read(ref _handled);

    public long Retried => Interlocked.Read(ref _retried);

    public long DeadLettered => Interlocked.Read(ref _deadLettered);

    /// <summary>Waits (bounded) until <paramref name="condition"/> holds.</summary>
    public async Task WaitUntilAsync(Func<WorkerMetrics, bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition(this))
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Not within {timeout}: {what}. Published {Published}, handled {Handled}, retried {Retried}, dead-lettered {DeadLettered}.");
            }

            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }

    public void Dispose() => _listener.Dispose();
}
