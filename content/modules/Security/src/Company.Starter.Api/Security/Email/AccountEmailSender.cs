using Company.Starter.Data.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Company.Starter.Api.Security.Email;

/// <summary>
/// The account emails the auth endpoints send: Identity's (<see cref="IEmailSender{TUser}"/>), and the two that
/// registration needs.
/// </summary>
public interface IAccountEmailSender : IEmailSender<AppUser>
{
    /// <summary>The code that confirms the email of a new account; until then it cannot sign in with its password.</summary>
    Task SendConfirmationCodeAsync(AppUser user, string email, string confirmationCode);

    /// <summary>
    /// Tells the owner of an account that someone tried to register its email again. Registration answers the same
    /// whether or not the email is taken (so that it does not tell which emails have accounts); this email is how the
    /// owner learns it instead, and how to get in.
    /// </summary>
    Task SendRegistrationAttemptAsync(AppUser user, string email);
}

/// <summary>The account emails, as plain text, handed to <see cref="EmailDelivery"/>.</summary>
public sealed class AccountEmailSender(EmailDelivery delivery, IOptions<EmailOptions> options, IOptions<PasswordOptions> passwords)
    : IAccountEmailSender
{
    public Task SendConfirmationCodeAsync(AppUser user, string email, string confirmationCode) => Send(email, "Confirm your email", $"""
        Someone, hopefully you, created an account with this email address. To confirm that it is yours, send this code:

        Your code: {confirmationCode}

        It works for {passwords.Value.ResetCodeLifetime.TotalMinutes:0} minutes; after that, a password reset confirms the email too.
        If you did not create this account, do not use the code: nobody can sign in to the account with its password until
        the email is confirmed. To take the account over yourself, reset its password: that also removes every way to sign
        in that someone else added to it.
        """);

    public Task SendRegistrationAttemptAsync(AppUser user, string email) => Send(email, "Someone tried to register your email", """
        Someone, perhaps you, tried to create an account with this email address, which already has one. No new account
        was made, and nothing about your account has changed.

        If it was you: sign in instead, or reset your password if you forgot it (the reset also confirms your email).
        If it was not you: you need do nothing.
        """);

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
/// Development without an SMTP server: each account email is logged instead of sent, so that registration and password
/// reset can be tried locally. Never registered in other environments.
/// </summary>
public sealed partial class LoggedEmailSender(ILogger<LoggedEmailSender> logger) : IAccountEmailSender
{
    public Task SendConfirmationCodeAsync(AppUser user, string email, string confirmationCode) => Log(email, $"email confirmation code {confirmationCode}");

    public Task SendRegistrationAttemptAsync(AppUser user, string email) => Log(email, "notice that someone tried to register the email again");

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
