using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Company.Starter.Testing;

/// <summary>
/// Starts a <c>WebApplicationFactory</c>'s host so that an app that refuses to start reports its own reason to the test.
/// </summary>
/// <remarks>
/// The factory runs the app's <c>Program</c> on a thread of its own and, on the test's thread, waits for the host to start
/// by reading the host's services. An app that fails at start (a setting out of range, a missing key) disposes those
/// services as it gives up; when that thread got there first, which a loaded machine makes happen now and then, the
/// test saw <see cref="ObjectDisposedException"/> instead of the failure. The gate holds the app at
/// <see cref="IHostLifetime.WaitForStartAsync"/> (before options validation and any hosted service) until the factory
/// is waiting, so the failure always arrives as itself. Use it from <c>CreateHost</c>:
/// <code>protected override IHost CreateHost(IHostBuilder builder) => StartupGate.Start(builder);</code>
/// </remarks>
public sealed class StartupGate
{
    private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private StartupGate()
    {
    }

    /// <summary>Builds and starts the host behind a gate: what <c>WebApplicationFactory.CreateHost</c> does, without the race.</summary>
    public static IHost Start(IHostBuilder builder)
    {
        var gate = Install(builder);
        return gate.Start(builder.Build());
    }

    /// <summary>Puts the gate in front of the app's <see cref="IHostLifetime"/>; call before <c>Build</c>.</summary>
    public static StartupGate Install(IHostBuilder builder)
    {
        var gate = new StartupGate();
        builder.ConfigureServices((_, services) =>
        {
            var lifetime = services.LastOrDefault(service => service.ServiceType == typeof(IHostLifetime))
                ?? throw new InvalidOperationException("The host registers no IHostLifetime to hold back.");
            services.Remove(lifetime);
            services.AddSingleton<IHostLifetime>(provider =>
                new GatedLifetime(Create(lifetime, provider), ownsInner: lifetime.ImplementationInstance is null, gate._open.Task));
        });
        return gate;
    }

    /// <summary>Starts <paramref name="host"/> (built from the builder the gate was installed on) and opens the gate once the start is being waited for.</summary>
    public IHost Start(IHost host)
    {
        // StartAsync registers for the app's "started" signal before its first await: from then on a failure cannot
        // dispose the services under it.
        var started = host.StartAsync();
        _open.TrySetResult();
        started.GetAwaiter().GetResult();
        return host;
    }

    private static IHostLifetime Create(ServiceDescriptor descriptor, IServiceProvider provider) => descriptor switch
    {
        { ImplementationInstance: IHostLifetime instance } => instance,
        { ImplementationFactory: { } factory } => (IHostLifetime)factory(provider),
        { ImplementationType: { } type } => (IHostLifetime)ActivatorUtilities.CreateInstance(provider, type),
        _ => throw new InvalidOperationException($"The IHostLifetime registration ({descriptor}) is not one the gate can wrap."),
    };

    private sealed class GatedLifetime(IHostLifetime inner, bool ownsInner, Task open) : IHostLifetime, IDisposable
    {
        public async Task WaitForStartAsync(CancellationToken cancellationToken)
        {
            await open.WaitAsync(cancellationToken);
            await inner.WaitForStartAsync(cancellationToken);
        }

        public Task StopAsync(CancellationToken cancellationToken) => inner.StopAsync(cancellationToken);

        // The container disposes what it made: the wrapper, so the wrapper disposes the lifetime it made in its stead.
        public void Dispose()
        {
            if (ownsInner && inner is IDisposable disposable)
            {
                disposable.Dispose();
            }
        }
    }
}
