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

    [Theory]
    // 100 messages x 3 s of backoff each (5 attempts: 0.2 + 0.4 + 0.8 + 1.6 s) = 5 min: MaxHandleTime needs 10.
    [InlineData("00:09:59", "100", "5", false)]
    [InlineData("00:10:00", "100", "5", true)]
    // One message per batch: 3 s of retries fit twice in 10 s.
    [InlineData("00:00:10", "1", "5", true)]
    // 10 attempts: 0.2 + 0.4 + 0.8 + 1.6 + 3.2 + 5 x 4 = 26.2 s each, x 20 = 524 s: more than half of 10 minutes.
    [InlineData("00:10:00", "20", "10", false)]
    public async Task A_batch_must_wait_out_its_retries_within_half_the_time_kafka_gives_a_consumer(
        string maxHandleTime, string maxBatchSize, string maxAttempts, bool starts)
    {
        var settings = await broker.CreateSettingsAsync(TestContext.Current.CancellationToken);
        settings["Messaging:Kafka:MaxHandleTime"] = maxHandleTime;
        settings["Messaging:Consumer:MaxBatchSize"] = maxBatchSize;
        settings["Messaging:Consumer:MaxAttempts"] = maxAttempts;
        using var host = BuildWorker(settings);

        var failure = Record.Exception(() => host.Services.GetRequiredService<IOptions<KafkaOptions>>().Value);

        if (starts)
        {
            Assert.Null(failure);
        }
        else
        {
            var invalid = Assert.IsType<OptionsValidationException>(failure);
            Assert.Contains("Messaging:Kafka:MaxHandleTime", invalid.Message);
            Assert.Contains($"Messaging:Consumer:MaxBatchSize ({maxBatchSize})", invalid.Message);
        }
    }

    [Fact]
    public async Task Invalid_consumer_settings_are_reported_by_their_own_validation_not_by_the_budget_check()
    {
        var settings = await broker.CreateSettingsAsync(TestContext.Current.CancellationToken);
        settings["Messaging:Consumer:MaxAttempts"] = "0";
        using var host = BuildWorker(settings);

        // The Kafka options themselves are fine: the budget check leaves the consumer's error to the consumer's section.
        Assert.NotNull(host.Services.GetRequiredService<IOptions<KafkaOptions>>().Value);
    }

    private static IHost BuildWorker(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = "Production" });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddMessagingWorker();
        return builder.Build();
    }
}
