using Company.Starter.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Company.Starter.Api.Tests;

/// <summary>An app that refuses to start says why, to its tests as to its operator, however its threads fall.</summary>
public sealed class StartupFailureTests(TestEnvironment environment)
{
    [Fact]
    public async Task A_service_that_refuses_to_start_reaches_the_test_as_itself_even_when_the_test_is_slow_to_wait_for_the_start()
    {
        // The pause lets the app fail and dispose its services before the test waits for it, the order a loaded machine
        // now and then produces; without StartupGate the test then saw an ObjectDisposedException instead of the reason.
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => ApiFactory.StartAsync(
            environment,
            configureServices: services => services.AddHostedService<RefusesToStart>(),
            pauseBeforeStart: TimeSpan.FromSeconds(2)));

        var refusal = Assert.IsType<InvalidOperationException>(failure);
        Assert.Equal(RefusesToStart.Reason, refusal.Message);
    }

    /// <summary>What a missing key or an unreachable dependency does to a hosted service's start.</summary>
    private sealed class RefusesToStart : IHostedService
    {
        public const string Reason = "This service refuses to start, as a test asks.";

        public Task StartAsync(CancellationToken cancellationToken) => throw new InvalidOperationException(Reason);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
