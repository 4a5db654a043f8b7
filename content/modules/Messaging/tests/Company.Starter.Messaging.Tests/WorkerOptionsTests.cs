using Company.Starter.Messaging.Consumers;
using Company.Starter.Testing;
using Microsoft.Extensions.Options;

namespace Company.Starter.Messaging.Tests;

/// <summary>A wrong relay or consumer setting stops the worker as it starts, with the key to fix in the message.</summary>
public sealed class WorkerOptionsTests(TestEnvironment environment, BrokerServer broker)
{
    [Theory]
    [InlineData("Messaging:Relay:BatchSize", "0", "Messaging:Relay:BatchSize")]
    [InlineData("Messaging:Relay:PollInterval", "00:00:00", "Messaging:Relay:PollInterval")]
    [InlineData("Messaging:Relay:SentRetention", "-1.00:00:00", "Messaging:Relay:SentRetention")]
    [InlineData("Messaging:Consumer:MaxAttempts", "0", "Messaging:Consumer:MaxAttempts")]
    [InlineData("Messaging:Consumer:RetryMaxDelay", "00:00:00.001", "Messaging:Consumer:RetryMaxDelay")]
    [InlineData("Messaging:Consumer:MaxBatchSize", "0", "Messaging:Consumer:MaxBatchSize")]
    [InlineData("Messaging:Consumer:InboxRetention", "00:00:00", "Messaging:Consumer:InboxRetention")]
    public async Task A_setting_out_of_range_stops_the_worker_at_start_naming_it(string key, string value, string named)
    {
        await using var bed = await OrdersTestBed.CreateAsync(environment, broker);

        var thrown = Record.Exception(() => bed.StartWorker(new Dictionary<string, string?> { [key] = value }).Dispose());

        var failure = Assert.IsType<OptionsValidationException>(thrown);
        Assert.Contains(named, failure.Message);
    }

    [Fact]
    public void Retries_back_off_exponentially_up_to_the_bound()
    {
        var options = new ConsumerOptions { RetryBaseDelay = TimeSpan.FromMilliseconds(100), RetryMaxDelay = TimeSpan.FromMilliseconds(700) };

        Assert.Equal(
            [100, 200, 400, 700, 700, 700],
            new[] { 1, 2, 3, 4, 5, 60 }.Select(attempt => options.RetryDelay(attempt).TotalMilliseconds));
    }
}
