using System.Globalization;
using Company.Starter.Messaging.Consumers;
using Microsoft.Extensions.Options;

namespace Company.Starter.Messaging.Kafka;

/// <summary>
/// Checks at start that a batch can wait out its retries before Kafka takes its partitions away. The consumer asks Kafka
/// for more only after a batch is handled, and a batch whose transaction failed is handled again message by message,
/// each with its retries (<see cref="ConsumerOptions.RetryBudget"/>). A consumer that does not ask for
/// <see cref="KafkaOptions.MaxHandleTime"/> (<c>max.poll.interval.ms</c>) leaves the group: another member gets the same
/// messages while this one is still retrying them, and the group rebalances over and over while a bad batch lasts.
/// </summary>
internal sealed class KafkaRetryBudget(IOptions<ConsumerOptions> consumer) : IValidateOptions<KafkaOptions>
{
    public ValidateOptionsResult Validate(string? name, KafkaOptions options)
    {
        ConsumerOptions retries;
        try
        {
            retries = consumer.Value;
        }
        catch (OptionsValidationException)
        {
            // Invalid consumer settings fail the start on their own, naming their keys; no budget to compare with them.
            return ValidateOptionsResult.Skip;
        }

        // Half of MaxHandleTime for the waits, the other half for the handling itself.
        var worstBatch = retries.RetryBudget * retries.MaxBatchSize;
        return worstBatch * 2 <= options.MaxHandleTime
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(string.Create(CultureInfo.InvariantCulture,
                $"Messaging:Kafka:MaxHandleTime ({options.MaxHandleTime}) must be at least twice the longest a batch may spend in " +
                $"retries: Messaging:Consumer:MaxBatchSize ({retries.MaxBatchSize}) messages x {retries.RetryBudget.TotalSeconds:0.###} s each " +
                $"(Messaging:Consumer:MaxAttempts {retries.MaxAttempts}, RetryBaseDelay {retries.RetryBaseDelay}, RetryMaxDelay " +
                $"{retries.RetryMaxDelay}) = {worstBatch}. Raise MaxHandleTime, or lower MaxBatchSize or the retries."));
    }
}
