using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;
using Company.Starter.Api.Http;
using Company.Starter.Api.Security.Tokens;
using Company.Starter.Data.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Company.Starter.Api.Security.Passkeys;

/// <summary>
/// WebAuthn passkeys on ASP.NET Core Identity (.NET 10): create an account with a passkey or add one to the
/// signed-in account, sign in without a username (discoverable credentials), and list, rename and remove passkeys.
/// A ceremony is two calls: options (a challenge, which Identity keeps in an encrypted cookie and this module records in
/// the database), then the browser's answer, accepted once (see <see cref="ClaimChallengeAsync"/>). A missing, replayed,
/// forged, out-of-order or malformed answer is a 400 problem, and issues no tokens.
/// </summary>
public static partial class PasskeyEndpoints
{
    public const string PasskeyMethod = "passkey";

    /// <summary>A ceremony's answer is a few kilobytes of JSON; anything larger is not one.</summary>
    private const int MaxCredentialJsonLength = 64 * 1024;

    private const string CeremonyReplayed = "This passkey ceremony was already answered, or its time is up: ask for new options.";

    public static RouteGroupBuilder MapPasskeyEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var passkeys = endpoints.MapVersionedGroup("/api/auth/passkeys").WithTags("Passkeys")
            .RequireRateLimiting(SecurityExtensions.AuthRateLimitPolicy);

        passkeys.MapPost("/creation-options", CreationOptionsAsync).WithName("PasskeyCreationOptions");
        passkeys.MapPost("/register", RegisterAsync).WithName("RegisterPasskey").Accepts<JsonElement>("application/json");
        passkeys.MapPost("/request-options", RequestOptionsAsync).WithName("PasskeyRequestOptions");
        passkeys.MapPost("/login", LoginAsync).WithName("PasskeyLogin").Accepts<JsonElement>("application/json");
        passkeys.MapGet("/", ListAsync).WithName("ListPasskeys").RequireAuthorization();
        passkeys.MapPut("/{id}", RenameAsync).WithName("RenamePasskey").RequireAuthorization();
        passkeys.MapDelete("/{id}", RemoveAsync).WithName("RemovePasskey").RequireAuthorization();

        return passkeys;
    }

    /// <summary>The options for <c>navigator.credentials.create()</c>.</summary>
    private static async Task<Results<ContentHttpResult, ProblemHttpResult>> CreationOptionsAsync(
        [FromBody] PasskeyCreationRequest? request,
        HttpContext http,
        UserManager<AppUser> users,
        SignInManager<AppUser> signIn,
        SecurityDbContext db,
        TimeProvider clock,
        IOptions<IdentityPasskeyOptions> passkeyOptions,
        CancellationToken cancellationToken)
    {
        PasskeyUserEntity entity;
        if (http.User.UserId() is { } userId)
        {
            var user = await users.FindByIdAsync(userId);
            if (user is null)
            {
                return ProblemDetailsDefaults.Problem(StatusCodes.Status401Unauthorized, ProblemCodes.Unauthorized, "The signed-in account no longer exists.");
            }

            entity = new PasskeyUserEntity { Id = user.Id, Name = user.UserName!, DisplayName = user.Email ?? user.UserName! };
        }
        else
        {
            if (string.IsNullOrWhiteSpace(request?.Email))
            {
                return ProblemDetailsDefaults.Problem(
                    StatusCodes.Status400BadRequest, ProblemCodes.ValidationFailed, "An email is required.", "Send the email of the account to create, or sign in first to add a passkey.");
            }

            if (await users.FindByEmailAsync(request.Email) is not null)
            {
                return ProblemDetailsDefaults.Problem(StatusCodes.Status409Conflict, AuthProblems.EmailTaken, "The email is already registered.", "Sign in, then add a passkey.");
            }

            entity = new PasskeyUserEntity { Id = Guid.NewGuid().ToString(), Name = request.Email, DisplayName = request.Email };
        }

        var options = await signIn.MakePasskeyCreationOptionsAsync(entity);
        await RecordChallengeAsync(options, db, clock, passkeyOptions.Value, cancellationToken);
        return TypedResults.Content(options, "application/json");
    }

    /// <summary>Verifies the browser's attestation and stores the passkey; a new account is created and signed in.</summary>
    private static async Task<Results<Created<ApiResponse<PasskeyResponse>>, ProblemHttpResult>> RegisterAsync(
        HttpContext http,
        UserManager<AppUser> users,
        SignInManager<AppUser> signIn,
        TokenIssuer issuer,
        SecurityDbContext db,
        TimeProvider clock,
        ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        var logger = loggers.CreateLogger(typeof(PasskeyEndpoints));
        if (await ReadCredentialAsync(http, cancellationToken) is not { } credentialJson)
        {
            return MalformedCredential();
        }

        var (attestation, error) = await PerformAsync(() => signIn.PerformPasskeyAttestationAsync(credentialJson));
        if (attestation is null || !attestation.Succeeded)
        {
            return Refuse(logger, "attestation", error ?? attestation?.Failure?.Message);
        }

        if (!await ClaimChallengeAsync(credentialJson, db, clock, cancellationToken))
        {
            return Refuse(logger, "attestation", CeremonyReplayed);
        }

        var user = http.User.UserId() is { } userId ? await users.FindByIdAsync(userId) : null;
        var created = false;
        if (user is null)
        {
            if (http.User.UserId() is not null)
            {
                return ProblemDetailsDefaults.Problem(StatusCodes.Status401Unauthorized, ProblemCodes.Unauthorized, "The signed-in account no longer exists.");
            }

            user = new AppUser
            {
                Id = attestation.UserEntity.Id,
                UserName = attestation.UserEntity.Name,
                Email = attestation.UserEntity.Name,
                CreatedAt = clock.GetUtcNow().UtcDateTime,
            };
            var result = await users.CreateAsync(user);
            if (!result.Succeeded)
            {
                return ProblemDetailsDefaults.Problem(StatusCodes.Status409Conflict, AuthProblems.EmailTaken, "The account could not be created.", string.Join(" ", result.Errors.Select(e => e.Description)));
            }

            created = true;
        }
        else if (user.Id != attestation.UserEntity.Id)
        {
            return CeremonyFailed("The passkey was made for another account.");
        }

        var stored = await users.AddOrUpdatePasskeyAsync(user, attestation.Passkey);
        if (!stored.Succeeded)
        {
            return CeremonyFailed(string.Join(" ", stored.Errors.Select(e => e.Description)));
        }

        if (created)
        {
            AuthEndpoints.Respond(http, await issuer.SignInAsync(user, PasskeyMethod, cancellationToken), useCookies: true, clock);
        }

        return TypedResults.Created("/api/auth/passkeys", ApiResponse.Ok(ToResponse(attestation.Passkey), clock));
    }

    /// <summary>
    /// The options for <c>navigator.credentials.get()</c>: any passkey of this site may answer (passkeys are
    /// discoverable, so the authenticator offers the accounts it holds). An email in the request is accepted but changes
    /// nothing: options naming that account's credentials would tell anyone which emails have accounts.
    /// </summary>
    private static async Task<ContentHttpResult> RequestOptionsAsync(
        [FromBody] PasskeyRequestOptionsRequest? request,
        SignInManager<AppUser> signIn,
        SecurityDbContext db,
        TimeProvider clock,
        IOptions<IdentityPasskeyOptions> passkeyOptions,
        CancellationToken cancellationToken)
    {
        // The request is still bound, so that a malformed one is a 400 like everywhere else.
        var options = await signIn.MakePasskeyRequestOptionsAsync(user: null);
        await RecordChallengeAsync(options, db, clock, passkeyOptions.Value, cancellationToken);
        return TypedResults.Content(options, "application/json");
    }

    /// <summary>Verifies the browser's assertion and signs the user in (cookies; <c>?useCookies=false</c> returns the tokens).</summary>
    private static async Task<Results<Ok<ApiResponse<TokenResponse>>, ProblemHttpResult>> LoginAsync(
        HttpContext http,
        UserManager<AppUser> users,
        SignInManager<AppUser> signIn,
        TokenIssuer issuer,
        SecurityDbContext db,
        TimeProvider clock,
        ILoggerFactory loggers,
        CancellationToken cancellationToken,
        bool useCookies = true)
    {
        var logger = loggers.CreateLogger(typeof(PasskeyEndpoints));
        if (await ReadCredentialAsync(http, cancellationToken) is not { } credentialJson)
        {
            return MalformedCredential();
        }

        var (assertion, error) = await PerformAsync(() => signIn.PerformPasskeyAssertionAsync(credentialJson));
        if (assertion is null || !assertion.Succeeded)
        {
            return Refuse(logger, "assertion", error ?? assertion?.Failure?.Message);
        }

        if (!await ClaimChallengeAsync(credentialJson, db, clock, cancellationToken))
        {
            return Refuse(logger, "assertion", CeremonyReplayed);
        }

        // No lockout check: the lockout stops password guessing, and anyone can trigger it by guessing wrong, so it must
        // not lock the owner out of the passkey, which guessing cannot get past. For the same reason a passkey sign-in
        // neither counts toward the lockout nor resets it (as Identity's own passkey sign-in).
        var user = assertion.User;

        // The new signature counter and backup state: a cloned authenticator shows up as a counter that goes back.
        await users.AddOrUpdatePasskeyAsync(user, assertion.Passkey);

        var tokens = await issuer.SignInAsync(user, PasskeyMethod, cancellationToken);
        return TypedResults.Ok(ApiResponse.Ok(AuthEndpoints.Respond(http, tokens, useCookies, clock), clock));
    }

    private static async Task<Results<Ok<ApiResponse<IReadOnlyList<PasskeyResponse>>>, ProblemHttpResult>> ListAsync(
        HttpContext http, UserManager<AppUser> users, TimeProvider clock)
    {
        if (await users.FindByIdAsync(http.User.UserId()!) is not { } user)
        {
            return ProblemDetailsDefaults.Problem(StatusCodes.Status401Unauthorized, ProblemCodes.Unauthorized, "The signed-in account no longer exists.");
        }

        var passkeys = await users.GetPasskeysAsync(user);
        return TypedResults.Ok(ApiResponse.Ok<IReadOnlyList<PasskeyResponse>>(passkeys.Select(ToResponse).ToList(), clock));
    }

    /// <summary>Renames one of the signed-in user's passkeys; another user's passkey is a 404, as if it did not exist.</summary>
    private static async Task<Results<Ok<ApiResponse<PasskeyResponse>>, ProblemHttpResult>> RenameAsync(
        string id, PasskeyRenameRequest request, HttpContext http, UserManager<AppUser> users, TimeProvider clock)
    {
        if (await FindOwnPasskeyAsync(id, http, users) is not ({ } user, { } passkey))
        {
            return PasskeyNotFound();
        }

        passkey.Name = request.Name!.Trim();
        await users.AddOrUpdatePasskeyAsync(user, passkey);
        return TypedResults.Ok(ApiResponse.Ok(ToResponse(passkey), clock));
    }

    /// <summary>Removes a passkey, unless it is the account's only way to sign in.</summary>
    private static async Task<Results<NoContent, ProblemHttpResult>> RemoveAsync(string id, HttpContext http, UserManager<AppUser> users)
    {
        if (await FindOwnPasskeyAsync(id, http, users) is not ({ } user, { } passkey))
        {
            return PasskeyNotFound();
        }

        if (!await users.HasPasswordAsync(user) && (await users.GetPasskeysAsync(user)).Count == 1)
        {
            return ProblemDetailsDefaults.Problem(
                StatusCodes.Status409Conflict, AuthProblems.LastCredential, "This is the account's only way to sign in.", "Add another passkey or a password first.");
        }

        await users.RemovePasskeyAsync(user, passkey.CredentialId);
        return TypedResults.NoContent();
    }

    private static async Task<(AppUser User, UserPasskeyInfo Passkey)?> FindOwnPasskeyAsync(string id, HttpContext http, UserManager<AppUser> users)
    {
        byte[] credentialId;
        try
        {
            credentialId = Base64UrlEncoder.DecodeBytes(id);
        }
        catch (FormatException)
        {
            return null;
        }

        if (await users.FindByIdAsync(http.User.UserId()!) is not { } user || await users.GetPasskeyAsync(user, credentialId) is not { } passkey)
        {
            return null;
        }

        return (user, passkey);
    }

    private static ProblemHttpResult Refuse(ILogger logger, string ceremony, string? reason)
    {
        LogCeremonyFailed(logger, ceremony, reason);
        return CeremonyFailed(reason);
    }

    /// <summary>The request body as the JSON text Identity parses, or null when it is not a JSON object of sane size.</summary>
    private static async Task<string?> ReadCredentialAsync(HttpContext http, CancellationToken cancellationToken)
    {
        if (!http.Request.HasJsonContentType() || http.Request.ContentLength > MaxCredentialJsonLength)
        {
            return null;
        }

        try
        {
            using var document = await JsonDocument.ParseAsync(http.Request.Body, cancellationToken: cancellationToken);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.GetRawText() is { Length: <= MaxCredentialJsonLength } json
                ? json
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// Identity reports most bad answers as a failed result, but throws for a few: an answer with no ceremony of its
    /// kind underway (no options asked for, options of the other kind, or the ceremony already answered: Identity deletes
    /// the state cookie on the first answer) is an <see cref="InvalidOperationException"/>.
    /// </summary>
    private static async Task<(T? Result, string? Error)> PerformAsync<T>(Func<Task<T>> ceremony) where T : class
    {
        try
        {
            return (await ceremony(), null);
        }
        catch (InvalidOperationException)
        {
            return (null, "No passkey ceremony of this kind is underway: ask for new options, then answer them once.");
        }
        catch (Exception exception) when (exception is PasskeyException or JsonException or FormatException)
        {
            return (null, exception.Message);
        }
    }

    /// <summary>
    /// Records the challenge of options about to be sent, until the ceremony's time is up (the authenticator timeout the
    /// options announce). Challenges nobody answered in time are removed on the way.
    /// </summary>
    private static async Task RecordChallengeAsync(
        string optionsJson, SecurityDbContext db, TimeProvider clock, IdentityPasskeyOptions passkeyOptions, CancellationToken cancellationToken)
    {
        using var options = JsonDocument.Parse(optionsJson);
        var challenge = Base64Url.DecodeFromChars(options.RootElement.GetProperty("challenge").GetString());
        var now = clock.GetUtcNow().UtcDateTime;
        await db.PasskeyChallenges.Where(c => c.ExpiresAt <= now).ExecuteDeleteAsync(cancellationToken);
        db.PasskeyChallenges.Add(new PasskeyChallenge { ChallengeHash = SHA256.HashData(challenge), ExpiresAt = now + passkeyOptions.AuthenticatorTimeout });
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>
    /// Accepts each ceremony's answer once, on every instance. Identity deletes its state cookie when the answer arrives,
    /// which stops a browser from answering twice, but not whoever kept a copy of the cookie along with the answer; and
    /// the signature counter cannot tell either, since synced passkeys keep it at 0. So the answer must also use up the
    /// challenge recorded when its options were issued: one atomic delete, which only one answer can win. Called once
    /// Identity has verified the answer, so its challenge is the one the state cookie holds (and, for an assertion, the
    /// one the authenticator signed); nothing else the client sends (such as extra cookies) plays a part.
    /// </summary>
    /// <returns>False when the challenge is not (or no longer) recorded: already answered, expired, or never issued.</returns>
    private static async Task<bool> ClaimChallengeAsync(string credentialJson, SecurityDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (ChallengeOf(credentialJson) is not { } challenge)
        {
            return false;
        }

        var hash = SHA256.HashData(challenge);
        var now = clock.GetUtcNow().UtcDateTime;
        return await db.PasskeyChallenges.Where(c => c.ChallengeHash == hash && c.ExpiresAt > now).ExecuteDeleteAsync(cancellationToken) == 1;
    }

    /// <summary>The challenge in an answer's client data (<c>response.clientDataJSON</c>), or null if it has none.</summary>
    private static byte[]? ChallengeOf(string credentialJson)
    {
        try
        {
            using var credential = JsonDocument.Parse(credentialJson);
            var clientDataJson = Base64Url.DecodeFromChars(credential.RootElement.GetProperty("response").GetProperty("clientDataJSON").GetString());
            using var clientData = JsonDocument.Parse(clientDataJson);
            return Base64Url.DecodeFromChars(clientData.RootElement.GetProperty("challenge").GetString());
        }
        catch (Exception exception) when (exception is JsonException or FormatException or KeyNotFoundException or InvalidOperationException)
        {
            return null;
        }
    }

    private static PasskeyResponse ToResponse(UserPasskeyInfo passkey) => new(
        Base64UrlEncoder.Encode(passkey.CredentialId), passkey.Name, passkey.CreatedAt, passkey.Transports ?? [], passkey.IsBackedUp);

    private static ProblemHttpResult MalformedCredential() => ProblemDetailsDefaults.Problem(
        StatusCodes.Status400BadRequest, AuthProblems.PasskeyFailed, "The passkey response is malformed.", "Send the JSON of the browser's PublicKeyCredential.");

    private static ProblemHttpResult CeremonyFailed(string? reason) => ProblemDetailsDefaults.Problem(
        StatusCodes.Status400BadRequest, AuthProblems.PasskeyFailed, "The passkey could not be verified.", reason ?? "Start the ceremony again.");

    private static ProblemHttpResult PasskeyNotFound() => ProblemDetailsDefaults.Problem(
        StatusCodes.Status404NotFound, ProblemCodes.NotFound, "The passkey does not exist.");

    [LoggerMessage(Level = LogLevel.Information, Message = "Passkey {Ceremony} refused: {Reason}")]
    private static partial void LogCeremonyFailed(ILogger logger, string ceremony, string? reason);
}
