using Company.Starter.Data.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Company.Starter.Api.Security.Email;

/// <summary>Identity's account emails, as plain text, handed to <see cref="EmailDelivery"/>.</summary>
public sealed class AccountEmailSender(EmailDelivery delivery, IOptions<EmailOptions> options, IOptions<PasswordOptions> passwords)
    : IEmailSender<AppUser>
{
    public Task SendPasswordResetCodeAsync(AppUser user, string email, string resetCode) => Send(email, "Your password reset code", $"""
        Someone, hopefully you, asked to reset the password of your account.

        Your code: {resetCode}

        It works once, for {passwords.Value.ResetCodeLifetime.TotalMinutes:0} minutes. If you did not ask, ignore this email: your password has not changed.
        """);

    public Task SendPasswordResetLinkAsync(AppUser user, string email, string resetLink) => Send(email, "Reset your password", $"""
        Someone, hopefully you, asked to reset the password of your account. Choose a new one here:

        {resetLink}

        If you did not ask, ignore this email: your password has not changed.
        """);

    public Task SendConfirmationLinkAsync(AppUser user, string email, string confirmationLink) => Send(email, "Confirm your email", $"""
        Confirm that this is your email address:

        {confirmationLink}
        """);

    private Task Send(string email, string subject, string text)
    {
        var settings = options.Value; // From is required (validated) whenever this sender is registered
        var message = new MimeMessage { Subject = subject, Body = new TextPart("plain") { Text = text } };
        message.From.Add(new MailboxAddress(settings.FromName, settings.From!));
        message.To.Add(new MailboxAddress(string.Empty, email));
        delivery.Enqueue(message);
        return Task.CompletedTask;
    }
}

/// <summary>
/// Development without an SMTP server: each account email is logged instead of sent, so that a password reset can be
/// tried locally. Never registered in other environments.
/// </summary>
public sealed partial class LoggedEmailSender(ILogger<LoggedEmailSender> logger) : IEmailSender<AppUser>
{
    public Task SendPasswordResetCodeAsync(AppUser user, string email, string resetCode) => Log(email, $"password reset code {resetCode}");

    public Task SendPasswordResetLinkAsync(AppUser user, string email, string resetLink) => Log(email, $"password reset link {resetLink}");

    public Task SendConfirmationLinkAsync(AppUser user, string email, string confirmationLink) => Log(email, $"confirmation link {confirmationLink}");

    private Task Log(string email, string content)
    {
        LogEmail(logger, email, content);
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Email is not configured (Email:SmtpHost), so in Development it is logged: to {Email}, {Content}")]
    private static partial void LogEmail(ILogger logger, string email, string content);
}
