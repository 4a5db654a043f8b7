using Company.Starter.Api.Security.Authorization;
using Company.Starter.Api.Security.Tokens;
using Company.Starter.Data.Security;
using Microsoft.AspNetCore.Identity;

namespace Company.Starter.Api.Security;

/// <summary>
/// What the security module's host commands do (their command lines are in Hosting/HostCommands.Security.cs), run
/// instead of the server:
/// <list type="bullet">
/// <item><c>keys generate [--output file]</c>: a new ES256 signing key as PEM (to the file, readable by its owner only, or to stdout for a secret store).</item>
/// <item><c>users grant-admin email</c>: adds an existing user to the <c>admin</c> role.</item>
/// <item><c>users confirm-email email</c>: confirms the email of an account, for an app that sends no email (a new
/// account cannot sign in with its password before its email is confirmed).</item>
/// </list>
/// Each returns the process's exit code: 0 done, 1 refused (the file exists, no such user).
/// </summary>
public static class SecurityCommands
{
    /// <summary>Needs no configuration or database: it runs before the app is built.</summary>
    public static int GenerateKey(string? path, TextWriter output, TextWriter error)
    {
        var pem = SigningKey.Generate();
        if (path is null)
        {
            output.Write(pem);
            return 0;
        }

        if (File.Exists(path))
        {
            error.WriteLine($"'{path}' exists; refusing to overwrite a key that may be in use.");
            return 1;
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
        return 0;
    }

    public static Task<int> GrantAdminAsync(IServiceProvider services, string email, TextWriter output, TextWriter error) =>
        ChangeUserAsync(services, email, output, error, (user, scope) => GrantAdminAsync(
            user, scope.GetRequiredService<UserManager<AppUser>>(), scope.GetRequiredService<RoleManager<IdentityRole>>()),
            $"{email} is an admin; their next access token carries the role.");

    public static Task<int> ConfirmEmailAsync(IServiceProvider services, string email, TextWriter output, TextWriter error) =>
        ChangeUserAsync(services, email, output, error, (user, scope) => ConfirmEmailAsync(
            user, scope.GetRequiredService<UserManager<AppUser>>()),
            $"{email} is confirmed; the account can sign in with its password.");

    private static async Task<int> ChangeUserAsync(
        IServiceProvider services, string email, TextWriter output, TextWriter error,
        Func<AppUser, IServiceProvider, Task<IdentityResult>> change, string done)
    {
        await using var scope = services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        if (await users.FindByEmailAsync(email) is not { } user)
        {
            await error.WriteLineAsync($"No user has the email '{email}'.");
            return 1;
        }

        var result = await change(user, scope.ServiceProvider);
        if (!result.Succeeded)
        {
            await error.WriteLineAsync(string.Join(Environment.NewLine, result.Errors.Select(e => e.Description)));
            return 1;
        }

        await output.WriteLineAsync(done);
        return 0;
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
