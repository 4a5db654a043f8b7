using System.ComponentModel.DataAnnotations;
using Company.Starter.Api.Http;

namespace Company.Starter.Api.Security;

// Every email and code here is [PlainText], like the sign-out form's return URL: no email, code or local URL has a
// control character, and a NUL would reach PostgreSQL (which refuses it in text), a line break a redirect's Location
// header, each a 500 instead of the client's 400.

/// <summary>The body of POST /api/auth/register.</summary>
public sealed record RegisterRequest
{
    [Required]
    [EmailAddress]
    [StringLength(256)]
    [PlainText]
    public string? Email { get; init; }

    /// <summary>At least 12 characters (configurable); no composition rules (NIST SP 800-63B).</summary>
    [Required]
    [StringLength(256)]
    public string? Password { get; init; }
}

/// <summary>The body of POST /api/auth/login.</summary>
public sealed record LoginRequest
{
    [Required]
    [StringLength(256)]
    [PlainText]
    public string? Email { get; init; }

    [Required]
    [StringLength(256)]
    public string? Password { get; init; }
}

/// <summary>The body of POST /api/auth/password.</summary>
public sealed record ChangePasswordRequest
{
    [Required]
    [StringLength(256)]
    public string? CurrentPassword { get; init; }

    /// <summary>The same rules as at registration.</summary>
    [Required]
    [StringLength(256)]
    public string? NewPassword { get; init; }
}

/// <summary>The body of POST /api/auth/password/forgot.</summary>
public sealed record ForgotPasswordRequest
{
    [Required]
    [EmailAddress]
    [StringLength(256)]
    [PlainText]
    public string? Email { get; init; }
}

/// <summary>The body of POST /api/auth/password/reset: the code from the email, and the new password.</summary>
public sealed record ResetPasswordRequest
{
    [Required]
    [StringLength(256)]
    [PlainText]
    public string? Email { get; init; }

    [Required]
    [StringLength(1024)]
    [PlainText]
    public string? Code { get; init; }

    /// <summary>The same rules as at registration.</summary>
    [Required]
    [StringLength(256)]
    public string? NewPassword { get; init; }
}

/// <summary>The body of POST /api/auth/email/confirm: the code from the email sent at registration.</summary>
public sealed record ConfirmEmailRequest
{
    [Required]
    [StringLength(256)]
    [PlainText]
    public string? Email { get; init; }

    [Required]
    [StringLength(1024)]
    [PlainText]
    public string? Code { get; init; }
}

/// <summary>The body of POST /api/auth/refresh and /api/auth/logout; browsers send the cookie instead.</summary>
public sealed record RefreshRequest
{
    [StringLength(128)]
    public string? RefreshToken { get; init; }
}

/// <summary>The tokens of a sign-in, for API clients (browsers get cookies and only the expiry times).</summary>
public sealed record TokenResponse(string? AccessToken, string TokenType, int ExpiresIn, string? RefreshToken, DateTimeOffset RefreshTokenExpiresAt);

/// <summary>The signed-in user.</summary>
public sealed record UserResponse(string Id, string? Email, IReadOnlyList<string> Roles, string? AuthenticationMethod);

/// <summary>The antiforgery token a cookie-authenticated form must send.</summary>
public sealed record AntiforgeryResponse(string FormFieldName, string? RequestToken);
