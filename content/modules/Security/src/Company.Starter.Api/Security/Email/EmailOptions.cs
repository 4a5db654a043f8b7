using System.ComponentModel.DataAnnotations;
using MailKit.Security;

namespace Company.Starter.Api.Security.Email;

/// <summary>
/// The SMTP server the app sends its email through (email confirmation and password reset codes). Without
/// <see cref="SmtpHost"/> no email is sent: password reset answers 503 <c>email_unavailable</c>, and a new account waits
/// for an operator to confirm its email (<c>users confirm-email</c>), except in Development, where each message is logged.
/// Keep <see cref="Password"/> out of appsettings.json: user secrets in development, the environment or a vault
/// (<c>Email__Password</c>) in production.
/// </summary>
public sealed class EmailOptions : IValidatableObject
{
    public const string SectionName = "Email";

    public string? SmtpHost { get; set; }

    [Range(1, 65_535)]
    public int SmtpPort { get; set; } = 587;

    /// <summary>
    /// How the connection is secured: <c>StartTls</c> (the default: refuses a server that does not offer it, so the
    /// code cannot be sent in clear by a downgrade), <c>SslOnConnect</c> (port 465), or <c>None</c> for a relay on the
    /// same host or network.
    /// </summary>
    public SecureSocketOptions Security { get; set; } = SecureSocketOptions.StartTls;

    /// <summary>The SMTP account, when the server requires authentication.</summary>
    public string? UserName { get; set; }

    public string? Password { get; set; }

    /// <summary>The sender of every message, e.g. <c>no-reply@example.com</c>; required with <see cref="SmtpHost"/>.</summary>
    public string? From { get; set; }

    /// <summary>The sender's display name.</summary>
    [StringLength(100)]
    public string FromName { get; set; } = "Company.Starter";

    public bool Enabled => !string.IsNullOrWhiteSpace(SmtpHost);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Enabled && (string.IsNullOrWhiteSpace(From) || !new EmailAddressAttribute().IsValid(From)))
        {
            yield return new ValidationResult("Email:From must be an email address when Email:SmtpHost is set.", [nameof(From)]);
        }

        if (!string.IsNullOrEmpty(UserName) && string.IsNullOrEmpty(Password))
        {
            yield return new ValidationResult("Email:Password is required with Email:UserName.", [nameof(Password)]);
        }
    }
}
