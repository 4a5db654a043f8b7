using Company.Starter.Messaging.Kafka;
using Company.Starter.Messaging.Transport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Company.Starter.Messaging.Tests;

/// <summary>The Kafka transport as the worker registers it: its options, the transport, the readiness check.</summary>
public sealed class KafkaHostingTests(BrokerServer broker)
{
    [Fact]
    public async Task The_worker_registers_the_kafka_transport_at_the_connection_string()
    {
        var settings = await broker.CreateSettingsAsync(TestContext.Current.CancellationToken);
        using var host = BuildWorker(settings);

        var transport = host.Services.GetRequiredService<IMessageTransport>();

        Assert.Equal("kafka", transport.System);
        Assert.Same(host.Services.GetRequiredService<KafkaTransport>(), transport);
        Assert.Equal(settings["ConnectionStrings:kafka"], host.Services.GetRequiredService<IOptions<KafkaOptions>>().Value.BootstrapServers);
    }

    [Fact]
    public async Task Without_a_connection_string_the_options_name_the_setting_to_set()
    {
        var settings = await broker.CreateSettingsAsync(TestContext.Current.CancellationToken);
        settings.Remove("ConnectionStrings:kafka");
        using var host = BuildWorker(settings);

        var failure = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IOptions<KafkaOptions>>().Value);

        Assert.Contains("ConnectionStrings:kafka", failure.Message);
    }

    [Fact]
    public async Task A_message_timeout_out_of_range_is_refused_with_its_setting_named()
    {
        var settings = await broker.CreateSettingsAsync(TestContext.Current.CancellationToken);
        settings["Messaging:Kafka:MessageTimeout"] = "00:00:00";
        using var host = BuildWorker(settings);

        var failure = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IOptions<KafkaOptions>>().Value);

        Assert.Contains("Messaging:Kafka:MessageTimeout", failure.Message);
    }

    [Fact]
    public async Task The_readiness_check_is_healthy_when_the_cluster_answers()
    {
        using var transport = new KafkaTransport(
            Options.Create(new KafkaOptions { BootstrapServers = await broker.GetBootstrapServersAsync(TestContext.Current.CancellationToken) }),
            NullLogger<KafkaTransport>.Instance);

        var result = await CheckAsync(transport);

        Assert.Equal(HealthStatus.Healthy, result.Status);
    }

    [Fact]
    public async Task The_readiness_check_reports_the_failure_status_naming_the_broker_when_nobody_answers()
    {
        var servers = BrokerServer.UnreachableBootstrapServers();
        using var transport = new KafkaTransport(
            Options.Create(new KafkaOptions { BootstrapServers = servers, HealthCheckTimeout = TimeSpan.FromSeconds(1) }),
            NullLogger<KafkaTransport>.Instance);

        var result = await CheckAsync(transport);

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Contains(servers, result.Description);
    }

    private static Task<HealthCheckResult> CheckAsync(KafkaTransport transport)
    {
        var check = new KafkaHealthCheck(transport);
        var context = new HealthCheckContext { Registration = new HealthCheckRegistration("kafka", check, HealthStatus.Unhealthy, ["ready"]) };
        return check.CheckHealthAsync(context, TestContext.Current.CancellationToken);
    }

    private static IHost BuildWorker(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = "Production" });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddMessagingWorker();
        return builder.Build();
    }
}
