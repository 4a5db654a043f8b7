using System.Threading.Channels;
using MailKit.Net.Smtp;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Company.Starter.Api.Security.Email;

/// <summary>
/// Sends the app's email in the background, one message at a time, so that the request that asks for one answers at
/// once, and in the same time whether or not it produced a message (a reset request must not tell which emails have
/// accounts). A message the server refuses or cannot take is tried three times, then dropped with an error logged;
/// the queue is in memory, so messages still waiting when the app stops are lost, and the user asks again.
/// </summary>
public sealed partial class EmailDelivery(IOptions<EmailOptions> options, ILogger<EmailDelivery> logger) : BackgroundService
{
    private const int Attempts = 3;
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(5);

    // Bounded: a flood of reset requests must not grow the queue without limit. When full, new messages are dropped
    // (and logged); the ones already queued go out.
    private readonly Channel<MimeMessage> _queue = Channel.CreateBounded<MimeMessage>(
        new BoundedChannelOptions(1_000) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    public void Enqueue(MimeMessage message)
    {
        if (!_queue.Writer.TryWrite(message))
        {
            LogQueueFull(logger, message.Subject);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var message in _queue.Reader.ReadAllAsync(stoppingToken))
        {
            await SendAsync(message, stoppingToken);
        }
    }

    private async Task SendAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        // Registered only when SmtpHost is set; options validation requires the password with a user name.
        var settings = options.Value;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                using var client = new SmtpClient();
                await client.ConnectAsync(settings.SmtpHost!, settings.SmtpPort, settings.Security, cancellationToken);
                if (!string.IsNullOrEmpty(settings.UserName))
                {
                    await client.AuthenticateAsync(settings.UserName, settings.Password!, cancellationToken);
                }

                await client.SendAsync(message, cancellationToken);
                await client.DisconnectAsync(quit: true, cancellationToken);
                return;
            }
            catch (Exception exception) when (exception is not OperationCanceledException && attempt < Attempts)
            {
                LogRetry(logger, exception, message.Subject, attempt);
                await Task.Delay(RetryDelay * attempt, cancellationToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                LogDropped(logger, exception, message.Subject, attempt);
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sending the email \"{Subject}\" failed (attempt {Attempt}); trying again")]
    private static partial void LogRetry(ILogger logger, Exception exception, string? subject, int attempt);

    [LoggerMessage(Level = LogLevel.Error, Message = "The email \"{Subject}\" was not sent after {Attempts} attempts")]
    private static partial void LogDropped(ILogger logger, Exception exception, string? subject, int attempts);

    [LoggerMessage(Level = LogLevel.Error, Message = "The email queue is full; the email \"{Subject}\" was dropped")]
    private static partial void LogQueueFull(ILogger logger, string? subject);
}
