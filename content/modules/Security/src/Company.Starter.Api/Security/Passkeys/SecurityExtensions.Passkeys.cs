using Company.Starter.Api.Security;
using Company.Starter.Api.Security.Passkeys;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Passkeys (WebAuthn) in the security module: present when the solution was generated with --auth passkeys, and
/// plugged into AddSecurity and MapSecurityEndpoints through their partial methods.
/// </summary>
public static partial class SecurityExtensions
{
    static partial void AddPasskeys(IServiceCollection services) =>
        services.AddOptions<IdentityPasskeyOptions>().Configure<IOptions<PasskeyOptions>>((identity, passkeys) =>
        {
            identity.ServerDomain = passkeys.Value.ServerDomain;
            identity.UserVerificationRequirement = "required";
            identity.ResidentKeyRequirement = "required";
            var origins = passkeys.Value.Origins;
            if (origins.Length > 0)
            {
                // Only the configured origins may run a ceremony, whatever host the request reached.
                identity.ValidateOrigin = context => ValueTask.FromResult(
                    !context.CrossOrigin && origins.Contains(context.Origin, StringComparer.OrdinalIgnoreCase));
            }
        });

    static partial void MapPasskeys(WebApplication app, RouteGroupBuilder tokenEndpoints)
    {
        tokenEndpoints.MapPasskeyEndpoints();
        // The sign-in page (wwwroot/account): create an account with a passkey, sign in without a username, manage passkeys.
        app.MapStaticAssets();
        app.MapGet("/account", () => TypedResults.Redirect("/account/index.html")).ExcludeFromDescription();
    }
}
