using Confluent.Kafka;

namespace Company.Starter.Messaging.Tests;

/// <summary>The test broker itself: what every other Kafka test stands on.</summary>
public sealed class BrokerServerTests(BrokerServer broker)
{
    [Fact]
    public async Task Settings_point_at_a_broker_that_answers_with_a_topic_and_group_of_their_own()
    {
        var first = await broker.CreateSettingsAsync(TestContext.Current.CancellationToken);
        var second = await broker.CreateSettingsAsync(TestContext.Current.CancellationToken);

        Assert.NotEqual(first["Messaging:OrdersDestination"], second["Messaging:OrdersDestination"]);
        Assert.NotEqual(first["Messaging:ConsumerGroup"], second["Messaging:ConsumerGroup"]);

        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = first["ConnectionStrings:kafka"] }).Build();
        Assert.NotEmpty(admin.GetMetadata(TimeSpan.FromSeconds(10)).Brokers);
    }
}
