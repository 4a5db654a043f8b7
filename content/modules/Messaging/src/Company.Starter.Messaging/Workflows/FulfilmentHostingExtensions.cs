using Company.Starter.Messaging.Workflows;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Temporalio.Extensions.Hosting;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The Temporal fulfilment saga: the client the API starts, signals and queries it with; the worker that runs it.
/// Temporal is optional: without <c>ConnectionStrings:temporal</c> the worker runs no workflows (and says so once at
/// start) and the API's fulfilment endpoints answer 503 <c>workflows_unavailable</c>; everything else works.
/// </summary>
public static partial class FulfilmentHostingExtensions
{
    /// <summary>The API's part: <see cref="IFulfilmentWorkflows"/>, on Temporal when it is configured.</summary>
    public static TBuilder AddFulfilmentClient<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        AddFulfilmentOptions(builder);
        var settings = ReadSettings(builder);
        if (settings.TargetHost is null)
        {
            builder.Services.TryAddSingleton<IFulfilmentWorkflows, UnavailableFulfilmentWorkflows>();
            return builder;
        }

        // A lazy client: nothing connects until the first request, so the API starts (and serves everything else)
        // while Temporal is down; TemporalFulfilmentWorkflows answers 503 until it is back.
        builder.Services.AddTemporalClient(settings.TargetHost, settings.Namespace);
        builder.Services.TryAddSingleton<IFulfilmentWorkflows, TemporalFulfilmentWorkflows>();
        return builder;
    }

    /// <summary>The worker's part: a hosted Temporal worker that runs <see cref="FulfilmentWorkflow"/> and its activities.</summary>
    public static TBuilder AddFulfilmentWorker<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        AddFulfilmentOptions(builder);
        var settings = ReadSettings(builder);
        if (settings.TargetHost is null)
        {
            builder.Services.AddHostedService<WorkflowsOffNotice>();
            return builder;
        }

        // The systems the activities call: the in-memory stand-ins unless the app registered its own before this call.
        builder.Services.TryAddSingleton<IInventory, InMemoryInventory>();
        builder.Services.TryAddSingleton<IPayments, InMemoryPayments>();
        builder.Services.TryAddSingleton<IShipping, InMemoryShipping>();

        // The hosting package's options builder: activities created per invocation from a DI scope, the workflow
        // registered. FulfilmentWorkerService runs them (the package's AddHostedTemporalWorker would too, but would
        // stop the whole worker host when Temporal is down at start); it connects a client of its own, since a worker
        // cannot poll on the lazy, unconnected client the API side registers.
        var worker = new TemporalWorkerServiceOptionsBuilder(settings.TaskQueue, builder.Services)
            .ConfigureOptions(options => options.TaskQueue = settings.TaskQueue)
            .AddScopedActivities<FulfilmentActivities>()
            .AddWorkflow<FulfilmentWorkflow>();
        var optionsName = worker.ConfigureOptions().Name;
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddHostedService(provider => ActivatorUtilities.CreateInstance<FulfilmentWorkerService>(provider, optionsName));
        return builder;
    }

    private static void AddFulfilmentOptions(IHostApplicationBuilder builder)
    {
        if (builder.Services.Any(service => service.ServiceType == typeof(IConfigureOptions<FulfilmentOptions>)))
        {
            return; // the worker calls both AddFulfilmentClient and AddFulfilmentWorker
        }

        builder.Services.AddOptions<FulfilmentOptions>()
            .BindConfiguration(FulfilmentOptions.SectionName)
            .Configure(options => options.TargetHost = TargetHost(builder.Configuration))
            .ValidateDataAnnotations()
            .ValidateOnStart();
    }

    /// <summary>
    /// The settings as registration needs them (whether Temporal is on decides what is registered); they are
    /// validated at start with the rest of the options, before anything connects.
    /// </summary>
    private static FulfilmentOptions ReadSettings(IHostApplicationBuilder builder)
    {
        var settings = builder.Configuration.GetSection(FulfilmentOptions.SectionName).Get<FulfilmentOptions>() ?? new FulfilmentOptions();
        settings.TargetHost = TargetHost(builder.Configuration);
        return settings;
    }

    private static string? TargetHost(IConfiguration configuration) =>
        configuration.GetConnectionString(FulfilmentOptions.ConnectionStringName) is { Length: > 0 } target ? target.Trim() : null;

    /// <summary>Says once, at start, that the workflows are off and how to turn them on: not an error, a choice.</summary>
    private sealed partial class WorkflowsOffNotice(ILogger<WorkflowsOffNotice> logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            LogWorkflowsOff(logger);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        [LoggerMessage(Level = LogLevel.Information, Message = "Temporal workflows are off: ConnectionStrings:temporal is not set. Set it to a Temporal server (host:port, e.g. localhost:7233) to run the order-fulfilment saga in this worker.")]
        private static partial void LogWorkflowsOff(ILogger logger);
    }
}
