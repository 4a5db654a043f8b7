using System.Globalization;
using Company.Starter.Messaging.Consumers;
using Microsoft.Extensions.Options;

namespace Company.Starter.Messaging.Nats;

/// <summary>
/// Checks at start that a message can wait out its retries before JetStream delivers it again. The server waits
/// <see cref="NatsOptions.AckWait"/> for a delivered message's acknowledgement; the consumer acknowledges only after the
/// message is handled, its retries (<see cref="ConsumerOptions.RetryBudget"/>) included. A shorter AckWait has the server
/// deliver the message again while the first delivery is still being retried.
/// </summary>
internal sealed class NatsRetryBudget(IOptions<ConsumerOptions> consumer) : IValidateOptions<NatsOptions>
{
    public ValidateOptionsResult Validate(string? name, NatsOptions options)
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

        // Half of AckWait for the waits, the other half for the handling itself.
        return retries.RetryBudget * 2 <= options.AckWait
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(string.Create(CultureInfo.InvariantCulture,
                $"Messaging:Nats:AckWait ({options.AckWait}) must be at least twice the longest a message may spend in retries: " +
                $"{retries.RetryBudget} (Messaging:Consumer:MaxAttempts {retries.MaxAttempts}, RetryBaseDelay {retries.RetryBaseDelay}, " +
                $"RetryMaxDelay {retries.RetryMaxDelay}). Raise AckWait, or lower the retries."));
    }
}
