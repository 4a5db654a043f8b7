using System.ComponentModel.DataAnnotations;
using Company.Starter.Api.Http;

namespace Company.Starter.Api.Security.Passkeys;

/// <summary>
/// The body of POST /api/auth/passkeys/creation-options. Signed out: the email of the account to create. Signed in:
/// empty, and the passkey is added to the signed-in account.
/// </summary>
public sealed record PasskeyCreationRequest
{
    [EmailAddress]
    [StringLength(256)]
    [PlainText]
    public string? Email { get; init; }
}

/// <summary>
/// The body of POST /api/auth/passkeys/request-options. The options never depend on <see cref="Email"/>: every sign-in
/// is username-less, so that the answer does not reveal whether an email has an account.
/// </summary>
public sealed record PasskeyRequestOptionsRequest
{
    [StringLength(256)]
    [PlainText]
    public string? Email { get; init; }
}

/// <summary>The body of PUT /api/auth/passkeys/{id}.</summary>
public sealed record PasskeyRenameRequest
{
    [Required]
    [StringLength(100, MinimumLength = 1)]
    [RegularExpression(@"^[^\p{Cc}]*$", ErrorMessage = "The name may not contain control characters.")]
    public string? Name { get; init; }
}

/// <summary>A passkey as its owner sees it. <see cref="Id"/> is the credential id, base64url-encoded.</summary>
public sealed record PasskeyResponse(string Id, string? Name, DateTimeOffset CreatedAt, IReadOnlyList<string> Transports, bool IsBackedUp);
