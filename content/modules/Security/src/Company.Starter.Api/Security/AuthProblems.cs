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

    /// <summary>The same answer for an unknown email and a wrong password, so the response reveals neither.</summary>
    public static ProblemHttpResult InvalidCredentialsProblem() => ProblemDetailsDefaults.Problem(
        StatusCodes.Status401Unauthorized, InvalidCredentials, "The email or password is wrong.");

    public static ProblemHttpResult AccountLockedProblem() => ProblemDetailsDefaults.Problem(
        StatusCodes.Status401Unauthorized, AccountLocked, "The account is locked.", "Too many failed sign-ins: try again later.");
}
