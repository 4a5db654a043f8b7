using System.Threading.Channels;
using Company.Starter.Messaging.Transport;

namespace Company.Starter.Messaging.Tests;

/// <summary>Reads a dead-letter destination through the transport, as an operator's tool would, into a list.</summary>
public sealed class DeadLetterReader : IAsyncDisposable
{
    private readonly Channel<ReceivedMessage> _received = Channel.CreateUnbounded<ReceivedMessage>();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _subscription;

    public DeadLetterReader(IMessageTransport transport, string destination)
    {
        Destination = transport.DeadLetterDestination(destination);
        _subscription = Task.Run(() => transport.SubscribeAsync(
            Destination,
            $"dlq-reader-{Guid.NewGuid():N}",
            async (message, cancellationToken) => await _received.Writer.WriteAsync(message, cancellationToken),
            _stop.Token));
    }

    public string Destination { get; }

    /// <summary>The next dead letter, or a failure after <paramref name="timeout"/>.</summary>
    public async Task<ReceivedMessage> NextAsync(TimeSpan timeout)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        wait.CancelAfter(timeout);
        try
        {
            return await _received.Reader.ReadAsync(wait.Token);
        }
        catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
        {
            if (_subscription.IsFaulted)
            {
                throw new InvalidOperationException($"Reading {Destination} failed.", _subscription.Exception);
            }

            Assert.Fail($"No dead letter on {Destination} within {timeout}.");
            throw;
        }
    }

    /// <summary>How many more arrived (without waiting).</summary>
    public int Pending => _received.Reader.Count;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _subscription;
        }
        catch (OperationCanceledException)
        {
            // The reader was stopped: the end it was waiting for.
        }

        _stop.Dispose();
    }
}
