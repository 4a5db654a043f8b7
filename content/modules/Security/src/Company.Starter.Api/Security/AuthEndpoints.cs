using System.Buffers.Text;
using System.Text;
using Company.Starter.Api.Http;
using Company.Starter.Api.Security.Email;
using Company.Starter.Api.Security.Tokens;
using Company.Starter.Data.Security;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;

namespace Company.Starter.Api.Security;

/// <summary>
/// Password sign-in (the fallback to passkeys), token refresh with rotation, sign-out and the current user. Every
/// endpoint here is rate limited per client IP (<see cref="SecurityExtensions.AuthRateLimitPolicy"/>).
/// </summary>
public static class AuthEndpoints
{
    public const string PasswordMethod = "pwd";

    public static RouteGroupBuilder MapAuthEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var auth = endpoints.MapVersionedGroup("/api/auth").WithTags("Auth").RequireRateLimiting(SecurityExtensions.AuthRateLimitPolicy);

        auth.MapPost("/register", RegisterAsync).WithName("Register");
        auth.MapPost("/login", LoginAsync).WithName("Login");
        auth.MapPost("/refresh", RefreshAsync).WithName("RefreshTokens");
        auth.MapPost("/logout", LogoutAsync).WithName("Logout");
        auth.MapGet("/me", Me).WithName("CurrentUser").RequireAuthorization();
        auth.MapPost("/password", ChangePasswordAsync).WithName("ChangePassword").RequireAuthorization()
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status409Conflict);
        auth.MapPost("/password/forgot", ForgotPasswordAsync).WithName("ForgotPassword");
        auth.MapPost("/password/reset", ResetPasswordAsync).WithName("ResetPassword");
        auth.MapPost("/email/confirm", ConfirmEmailAsync).WithName("ConfirmEmail");
        auth.MapGet("/antiforgery", Antiforgery).WithName("AntiforgeryToken");

        // A plain HTML form (no script needed) signs a browser out: cookie-authenticated, so it needs the antiforgery
        // token, which minimal APIs check for every form-bound endpoint.
        endpoints.MapPost("/account/logout", LogoutFormAsync).WithTags("Auth").ExcludeFromDescription()
            .RequireRateLimiting(SecurityExtensions.AuthRateLimitPolicy);

        return auth;
    }

    /// <summary>
    /// Creates an account with a password, and emails a code that confirms the address: until it is confirmed (with the
    /// code, by a password reset, or by an operator's <c>users confirm-email</c>) the account cannot sign in with its
    /// password, so nobody holds an account under an address they do not own. The answer is the same 202 whether the
    /// email is new or taken, so that it does not tell which emails have accounts; the owner of a taken one gets an
    /// email saying someone tried, and how to get in. Only a refused password or a malformed email is a 400 (those do
    /// not depend on the accounts).
    /// </summary>
    private static async Task<Results<Accepted, ValidationProblem>> RegisterAsync(
        RegisterRequest request, HttpContext http, UserManager<AppUser> users, TimeProvider clock)
    {
        // Without an email server (and outside Development) the account waits for an operator to confirm it.
        var sender = http.RequestServices.GetService<IAccountEmailSender>();
        var user = new AppUser { UserName = request.Email, Email = request.Email, CreatedAt = clock.GetUtcNow().UtcDateTime };
        var result = await users.CreateAsync(user, request.Password!);
        if (result.Succeeded)
        {
            if (sender is not null)
            {
                var token = await users.GenerateEmailConfirmationTokenAsync(user);
                await sender.SendConfirmationCodeAsync(user, user.Email!, EmailCodes.Encode(token));
            }

            return TypedResults.Accepted((string?)null);
        }

        // Identity checks (and hashes) the password before it looks for a duplicate, so a taken email costs the same time.
        if (result.Errors.Any(error => error.Code is nameof(IdentityErrorDescriber.DuplicateUserName) or nameof(IdentityErrorDescriber.DuplicateEmail)))
        {
            if (sender is not null && await users.FindByEmailAsync(request.Email!) is { Email: { } email } owner)
            {
                await sender.SendRegistrationAttemptAsync(owner, email);
            }

            return TypedResults.Accepted((string?)null);
        }

        return TypedResults.ValidationProblem(IdentityErrors.ByField(result));
    }

    /// <summary>
    /// Confirms the email of a new account with the code emailed at registration. An unknown email and a wrong or
    /// expired code get the same answer; a password reset confirms the email too.
    /// </summary>
    private static async Task<Results<NoContent, ValidationProblem>> ConfirmEmailAsync(ConfirmEmailRequest request, UserManager<AppUser> users)
    {
        var user = await users.FindByEmailAsync(request.Email!);
        if (user is null || !EmailCodes.TryDecode(request.Code!, out var token) || !(await users.ConfirmEmailAsync(user, token)).Succeeded)
        {
            return InvalidCode("The code is wrong or has expired: a password reset confirms the email too.");
        }

        return TypedResults.NoContent();
    }

    /// <summary>
    /// Signs in with email and password. API clients get both tokens in the body; browsers pass
    /// <c>?useCookies=true</c> and get them as HttpOnly cookies instead. Five failures in a row lock the account for a
    /// while. An unknown email, a wrong password, a locked account and an unconfirmed email all get the same answer:
    /// anything else would tell anyone which emails have accounts (a lockout, too, is only there for an account).
    /// </summary>
    private static async Task<Results<Ok<ApiResponse<TokenResponse>>, ProblemHttpResult>> LoginAsync(
        LoginRequest request,
        HttpContext http,
        UserManager<AppUser> users,
        SecurityDbContext db,
        TokenIssuer issuer,
        TimeProvider clock,
        CancellationToken cancellationToken,
        bool useCookies = false)
    {
        var user = await users.FindByEmailAsync(request.Email!);
        if (user is null || !user.EmailConfirmed || !await users.HasPasswordAsync(user) || await users.IsLockedOutAsync(user))
        {
            // Spend the time a real check takes, so response times do not tell these cases from a wrong password either.
            users.PasswordHasher.HashPassword(new AppUser(), request.Password!);
            return AuthProblems.InvalidCredentialsProblem();
        }

        // Verifies (and upgrades an old hash); the failure count is ours, see FailedSignIns.
        if (!await users.CheckPasswordAsync(user, request.Password!))
        {
            await FailedSignIns.RecordAsync(db, users, user, clock, cancellationToken);
            return AuthProblems.InvalidCredentialsProblem();
        }

        if (user.AccessFailedCount > 0)
        {
            await users.ResetAccessFailedCountAsync(user);
        }

        var tokens = await issuer.SignInAsync(user, PasswordMethod, cancellationToken);
        return TypedResults.Ok(ApiResponse.Ok(Respond(http, tokens, useCookies, clock), clock));
    }

    /// <summary>
    /// Changes the signed-in user's password, given the current one, and ends every sign-in of the account (whoever
    /// else holds one of its refresh tokens is signed out); the answer starts a new sign-in, like a login. Access tokens
    /// already issued stay valid until they expire (minutes). A wrong current password counts toward the lockout.
    /// </summary>
    private static async Task<Results<Ok<ApiResponse<TokenResponse>>, ValidationProblem, ProblemHttpResult>> ChangePasswordAsync(
        ChangePasswordRequest request,
        HttpContext http,
        UserManager<AppUser> users,
        SecurityDbContext db,
        RefreshTokens refreshTokens,
        TokenIssuer issuer,
        TimeProvider clock,
        CancellationToken cancellationToken,
        bool useCookies = false)
    {
        var user = await users.FindByIdAsync(http.User.UserId()!);
        if (user is null)
        {
            return ProblemDetailsDefaults.Problem(StatusCodes.Status401Unauthorized, ProblemCodes.Unauthorized, "The account no longer exists.");
        }

        if (await users.IsLockedOutAsync(user))
        {
            return AuthProblems.AccountLockedProblem();
        }

        if (!await users.HasPasswordAsync(user))
        {
            return ProblemDetailsDefaults.Problem(
                StatusCodes.Status409Conflict, AuthProblems.NoPassword, "The account has no password.", "It signs in without one: with a passkey or an external provider.");
        }

        var result = await users.ChangePasswordAsync(user, request.CurrentPassword!, request.NewPassword!);
        if (!result.Succeeded)
        {
            if (result.Errors.Any(error => error.Code == nameof(IdentityErrorDescriber.PasswordMismatch)))
            {
                return await FailedSignIns.RecordAsync(db, users, user, clock, cancellationToken)
                    ? AuthProblems.AccountLockedProblem()
                    : TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["currentPassword"] = ["The current password is wrong."] });
            }

            return TypedResults.ValidationProblem(IdentityErrors.OnField("newPassword", result));
        }

        await users.ResetAccessFailedCountAsync(user);
        await refreshTokens.RevokeUserAsync(user.Id, cancellationToken);
        var tokens = await issuer.SignInAsync(user, PasswordMethod, cancellationToken);
        return TypedResults.Ok(ApiResponse.Ok(Respond(http, tokens, useCookies, clock), clock));
    }

    /// <summary>
    /// Emails a password reset code to the account with this email, if there is one. The answer is the same 202
    /// either way (and comes before the email is sent), so it does not tell which emails have accounts.
    /// </summary>
    private static async Task<Results<Accepted, ProblemHttpResult>> ForgotPasswordAsync(
        ForgotPasswordRequest request, HttpContext http, UserManager<AppUser> users)
    {
        if (http.RequestServices.GetService<IAccountEmailSender>() is not { } sender)
        {
            return ProblemDetailsDefaults.Problem(
                StatusCodes.Status503ServiceUnavailable, AuthProblems.EmailUnavailable, "Password reset is not available.", "The server sends no email (Email:SmtpHost is not set).");
        }

        // Also for an account without a password (passkeys or an external provider only): the code lets it set one,
        // which is how a user who lost every passkey gets back in.
        if (await users.FindByEmailAsync(request.Email!) is { Email: { } email } user)
        {
            var token = await users.GeneratePasswordResetTokenAsync(user);
            await sender.SendPasswordResetCodeAsync(user, email, EmailCodes.Encode(token));
        }

        return TypedResults.Accepted((string?)null);
    }

    /// <summary>
    /// Sets a new password with the emailed code (once: the reset ends the code), unlocks the account, and ends every
    /// sign-in of it. The code proves the email, so the reset confirms it; and an account whose email was not confirmed
    /// until now may have been registered by someone else before its owner arrived, so that someone's passkeys and
    /// external logins are removed too: the owner starts with the new password as the only way in. The answer starts
    /// no sign-in: the client signs in with the new password.
    /// </summary>
    private static async Task<Results<NoContent, ValidationProblem>> ResetPasswordAsync(
        ResetPasswordRequest request, UserManager<AppUser> users, RefreshTokens refreshTokens, CancellationToken cancellationToken)
    {
        // An unknown email and a wrong code get the same answer.
        var user = await users.FindByEmailAsync(request.Email!);
        if (user is null || !EmailCodes.TryDecode(request.Code!, out var token))
        {
            return InvalidCode();
        }

        var result = await users.ResetPasswordAsync(user, token, request.NewPassword!);
        if (!result.Succeeded)
        {
            return result.Errors.Any(error => error.Code == nameof(IdentityErrorDescriber.InvalidToken))
                ? InvalidCode()
                : TypedResults.ValidationProblem(IdentityErrors.OnField("newPassword", result));
        }

        if (!user.EmailConfirmed)
        {
            await RemoveOtherCredentialsAsync(user, users);
            user.EmailConfirmed = true;
            await users.UpdateAsync(user);
        }

        // Whoever locked the account out by guessing does not keep its owner out after the owner proved the email.
        await users.ResetAccessFailedCountAsync(user);
        await users.SetLockoutEndDateAsync(user, null);
        await refreshTokens.RevokeUserAsync(user.Id, cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary>Every way to sign in to the account but its password: passkeys and external logins.</summary>
    private static async Task RemoveOtherCredentialsAsync(AppUser user, UserManager<AppUser> users)
    {
        if (users.SupportsUserPasskey)
        {
            foreach (var passkey in await users.GetPasskeysAsync(user))
            {
                await users.RemovePasskeyAsync(user, passkey.CredentialId);
            }
        }

        foreach (var login in await users.GetLoginsAsync(user))
        {
            await users.RemoveLoginAsync(user, login.LoginProvider, login.ProviderKey);
        }
    }

    private static ValidationProblem InvalidCode(string message = "The code is wrong or has expired: ask for a new one.") =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["code"] = [message] });

    /// <summary>Exchanges a refresh token (body or cookie) for a new pair. A token used twice revokes its whole sign-in.</summary>
    private static async Task<Results<Ok<ApiResponse<TokenResponse>>, ProblemHttpResult>> RefreshAsync(
        [FromBody] RefreshRequest? request,
        HttpContext http,
        RefreshTokens refreshTokens,
        UserManager<AppUser> users,
        TokenIssuer issuer,
        TimeProvider clock,
        CancellationToken cancellationToken,
        bool useCookies = false)
    {
        var presented = request?.RefreshToken ?? http.Request.Cookies[TokenCookies.RefreshToken];
        if (string.IsNullOrEmpty(presented))
        {
            return InvalidRefreshToken();
        }

        var rotation = await refreshTokens.RotateAsync(presented, cancellationToken);
        if (rotation.Outcome == RefreshOutcome.Reused)
        {
            TokenCookies.Clear(http.Response);
            return ProblemDetailsDefaults.Problem(
                StatusCodes.Status401Unauthorized,
                AuthProblems.RefreshTokenReused,
                "The refresh token was already used.",
                "Every session using it has been signed out; sign in again.");
        }

        // No lockout check: the lockout counts password guesses, which anyone who knows an email can make, so it must
        // not end a sign-in made another way (a passkey, a provider). To end a user's sessions, revoke their tokens.
        var user = rotation.Outcome == RefreshOutcome.Rotated ? await users.FindByIdAsync(rotation.UserId!) : null;
        if (user is null)
        {
            TokenCookies.Clear(http.Response);
            return InvalidRefreshToken();
        }

        var tokens = await issuer.IssueAsync(user, "refresh", rotation.Successor!);
        return TypedResults.Ok(ApiResponse.Ok(Respond(http, tokens, useCookies || request?.RefreshToken is null, clock), clock));
    }

    /// <summary>Ends the sign-in the refresh token (body or cookie) belongs to, and clears the cookies.</summary>
    private static async Task<NoContent> LogoutAsync(
        [FromBody] RefreshRequest? request, HttpContext http, RefreshTokens refreshTokens, CancellationToken cancellationToken)
    {
        await SignOutAsync(request?.RefreshToken, http, refreshTokens, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<RedirectHttpResult> LogoutFormAsync(
        [FromForm, PlainText] string? returnUrl, HttpContext http, RefreshTokens refreshTokens, CancellationToken cancellationToken)
    {
        await SignOutAsync(null, http, refreshTokens, cancellationToken);
        return TypedResults.LocalRedirect(ExternalSignIn.LocalOrRoot(returnUrl));
    }

    private static async Task SignOutAsync(string? presented, HttpContext http, RefreshTokens refreshTokens, CancellationToken cancellationToken)
    {
        presented ??= http.Request.Cookies[TokenCookies.RefreshToken];
        if (!string.IsNullOrEmpty(presented))
        {
            await refreshTokens.RevokeAsync(presented, cancellationToken);
        }

        TokenCookies.Clear(http.Response);
    }

    private static Ok<ApiResponse<UserResponse>> Me(HttpContext http, TimeProvider clock)
    {
        var user = http.User;
        return TypedResults.Ok(ApiResponse.Ok(
            new UserResponse(
                user.UserId()!,
                user.FindFirst(AccessTokens.NameClaim)?.Value,
                user.FindAll(AccessTokens.RoleClaim).Select(role => role.Value).ToList(),
                user.FindFirst(AccessTokens.AuthenticationMethodClaim)?.Value),
            clock));
    }

    private static Ok<ApiResponse<AntiforgeryResponse>> Antiforgery(HttpContext http, IAntiforgery antiforgery, TimeProvider clock)
    {
        var tokens = antiforgery.GetAndStoreTokens(http);
        return TypedResults.Ok(ApiResponse.Ok(new AntiforgeryResponse(tokens.FormFieldName, tokens.RequestToken), clock));
    }

    /// <summary>Writes the tokens as cookies for browsers, or returns them in the body for API clients.</summary>
    internal static TokenResponse Respond(HttpContext http, TokenPair tokens, bool useCookies, TimeProvider clock)
    {
        var expiresIn = (int)Math.Max(0, (tokens.AccessTokenExpiresAt - clock.GetUtcNow()).TotalSeconds);
        if (useCookies)
        {
            TokenCookies.Write(http.Response, tokens);
            return new TokenResponse(null, "Bearer", expiresIn, null, tokens.RefreshTokenExpiresAt);
        }

        return new TokenResponse(tokens.AccessToken, "Bearer", expiresIn, tokens.RefreshToken, tokens.RefreshTokenExpiresAt);
    }

    private static ProblemHttpResult InvalidRefreshToken() => ProblemDetailsDefaults.Problem(
        StatusCodes.Status401Unauthorized, AuthProblems.InvalidRefreshToken, "The refresh token is invalid or expired.", "Sign in again.");
}

/// <summary>
/// Identity's reset and email confirmation tokens, made safe to type or paste into a URL: base64url of their UTF-8
/// bytes (as Identity's own API endpoints do). A code that does not decode is a wrong code, not an error.
/// </summary>
internal static class EmailCodes
{
    public static string Encode(string token) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(token));

    public static bool TryDecode(string code, out string token)
    {
        // Checked first: the decoder throws on a character outside the alphabet.
        if (!Base64Url.IsValid(code, out var length))
        {
            token = string.Empty;
            return false;
        }

        var bytes = new byte[length];
        token = Encoding.UTF8.GetString(bytes, 0, Base64Url.DecodeFromChars(code, bytes));
        return true;
    }
}

/// <summary>Identity's errors as a validation problem's field errors.</summary>
internal static class IdentityErrors
{
    public static Dictionary<string, string[]> ByField(IdentityResult result) => result.Errors
        .GroupBy(error => error.Code.StartsWith("Password", StringComparison.Ordinal) ? "password" : "email")
        .ToDictionary(group => group.Key, group => group.Select(error => error.Description).ToArray());

    /// <summary>All of Identity's errors on one field, e.g. the new password of a change or a reset.</summary>
    public static Dictionary<string, string[]> OnField(string field, IdentityResult result) =>
        new() { [field] = [.. result.Errors.Select(error => error.Description)] };
}
