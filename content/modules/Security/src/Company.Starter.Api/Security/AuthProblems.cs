using Company.Starter.Api.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Company.Starter.Api.Security;

/// <summary>The problem codes of the auth endpoints, stable like every other <see cref="ProblemCodes"/> value.</summary>
public static class AuthProblems
{
    public const string InvalidCredentials = "invalid_credentials";
    public const string AccountLocked = "account_locked";
    public const string EmailTaken = "email_taken";
    public const string InvalidRefreshToken = "invalid_refresh_token";
    public const string RefreshTokenReused = "refresh_token_reused";
    public const string PasskeyFailed = "passkey_failed";
    public const string LastCredential = "last_credential";
    public const string NoPassword = "no_password";
    public const string EmailUnavailable = "email_unavailable";

    /// <summary>
    /// The one answer of a password sign-in that fails: for an unknown email, a wrong password, a locked account and an
    /// unconfirmed email alike, so that it does not tell which emails have accounts. The detail names every case.
    /// </summary>
    public static ProblemHttpResult InvalidCredentialsProblem() => ProblemDetailsDefaults.Problem(
        StatusCodes.Status401Unauthorized,
        InvalidCredentials,
        "The email or password is wrong.",
        "Or the account is locked for a while after repeated failures, or its email is not confirmed yet. A password reset unlocks the account and confirms the email.");

    /// <summary>For a user who is already signed in (a password change), or whose passkey identified the account.</summary>
    public static ProblemHttpResult AccountLockedProblem() => ProblemDetailsDefaults.Problem(
        StatusCodes.Status401Unauthorized, AccountLocked, "The account is locked.", "Too many failed sign-ins: try again later.");
}
