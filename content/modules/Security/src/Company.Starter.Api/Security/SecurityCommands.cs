using Company.Starter.Api.Security.Authorization;
using Company.Starter.Api.Security.Tokens;
using Company.Starter.Data.Security;
using Microsoft.AspNetCore.Identity;

namespace Company.Starter.Api.Security;

/// <summary>
/// Management commands of the security module, run instead of the server:
/// <list type="bullet">
/// <item><c>keys generate [--output file]</c>: a new ES256 signing key as PEM (to the file, readable by its owner only, or to stdout for a secret store).</item>
/// <item><c>users grant-admin email</c>: adds an existing user to the <c>admin</c> role.</item>
/// <item><c>users confirm-email email</c>: confirms the email of an account, for an app that sends no email (a new
/// account cannot sign in with its password before its email is confirmed).</item>
/// </list>
/// </summary>
public static class SecurityCommands
{
    /// <summary>Commands that need no configuration or database, run before the app is built.</summary>
    public static bool TryRunOffline(string[] args, TextWriter output, TextWriter error, out int exitCode)
    {
        exitCode = 0;
        if (args is not ["keys", .. var rest])
        {
            return false;
        }

        if (rest is not ["generate", .. var options] || (options.Length != 0 && options is not ["--output", _]))
        {
            error.WriteLine("Usage: keys generate [--output <file>]");
            exitCode = 2;
            return true;
        }

        var pem = SigningKey.Generate();
        if (options is ["--output", var path])
        {
            if (File.Exists(path))
            {
                error.WriteLine($"'{path}' exists; refusing to overwrite a key that may be in use.");
                exitCode = 1;
                return true;
            }

            var file = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                file.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using (var writer = new StreamWriter(path, file))
            {
                writer.Write(pem);
            }

            output.WriteLine($"Wrote a new ES256 signing key to {path}. Point {TokenOptions.SectionName}:SigningKeyPath at it; keep it out of source control.");
        }
        else
        {
            output.Write(pem);
        }

        return true;
    }

    public static async Task<bool> TryRunAsync(WebApplication app, string[] args)
    {
        if (args is not ["users", .. var rest])
        {
            return false;
        }

        if (rest is not [("grant-admin" or "confirm-email") and var command, var email])
        {
            await Console.Error.WriteLineAsync("Usage: users grant-admin <email> | users confirm-email <email>");
            Environment.ExitCode = 2;
            return true;
        }

        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        if (await users.FindByEmailAsync(email) is not { } user)
        {
            await Console.Error.WriteLineAsync($"No user has the email '{email}'.");
            Environment.ExitCode = 1;
            return true;
        }

        var (result, done) = command == "grant-admin"
            ? (await GrantAdminAsync(user, users, scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>()), $"{email} is an admin; their next access token carries the role.")
            : (await ConfirmEmailAsync(user, users), $"{email} is confirmed; the account can sign in with its password.");
        if (!result.Succeeded)
        {
            await Console.Error.WriteLineAsync(string.Join(Environment.NewLine, result.Errors.Select(e => e.Description)));
            Environment.ExitCode = 1;
            return true;
        }

        await Console.Out.WriteLineAsync(done);
        return true;
    }

    private static async Task<IdentityResult> GrantAdminAsync(AppUser user, UserManager<AppUser> users, RoleManager<IdentityRole> roles)
    {
        if (!await roles.RoleExistsAsync(Policies.AdminRole))
        {
            await roles.CreateAsync(new IdentityRole(Policies.AdminRole));
        }

        var result = await users.AddToRoleAsync(user, Policies.AdminRole);
        return result.Errors.Any(e => e.Code == nameof(IdentityErrorDescriber.UserAlreadyInRole)) ? IdentityResult.Success : result;
    }

    /// <summary>The operator vouches for the address: no code is needed (and none could be sent without email).</summary>
    private static async Task<IdentityResult> ConfirmEmailAsync(AppUser user, UserManager<AppUser> users)
    {
        user.EmailConfirmed = true;
        return await users.UpdateAsync(user);
    }
}
