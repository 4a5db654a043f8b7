using Company.Starter.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Company.Starter.Messaging.Tests;

/// <summary>The real worker (its Program: ServiceDefaults, Data, AddMessagingWorker) in this process, on the test's settings.</summary>
public sealed class WorkerFactory(IReadOnlyDictionary<string, string?> settings, Action<IServiceCollection>? configureServices)
    : WebApplicationFactory<Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }

        if (configureServices is not null)
        {
            builder.ConfigureServices(configureServices);
        }
    }

    /// <summary>Starts the worker behind <see cref="StartupGate"/>, so that a worker that refuses to start says why.</summary>
    protected override IHost CreateHost(IHostBuilder builder) => StartupGate.Start(builder);
}
