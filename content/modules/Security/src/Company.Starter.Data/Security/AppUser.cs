using Microsoft.AspNetCore.Identity;

namespace Company.Starter.Data.Security;

/// <summary>A user account: ASP.NET Core Identity's user, with its passkeys, roles and (optional) password.</summary>
public sealed class AppUser : IdentityUser
{
    public DateTime CreatedAt { get; set; }
}
