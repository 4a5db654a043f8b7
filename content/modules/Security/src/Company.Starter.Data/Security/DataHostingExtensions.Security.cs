using Company.Starter.Data.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.Hosting;

// The security module's part of AddData, in a file of its own: a solution without user accounts (--auth none) leaves it
// out, and AddData's call to AddSecurityContext then compiles to nothing.
public static partial class DataHostingExtensions
{
    /// <summary>
    /// The security module's tables: same database and pool, a migration history of their own. Identity schema version 3
    /// maps the passkey table (.NET 10); the committed migrations are made with it.
    /// </summary>
    static partial void AddSecurityContext(IServiceCollection services)
    {
        services.Configure<IdentityOptions>(identity => identity.Stores.SchemaVersion = IdentitySchemaVersions.Version3);
        services.AddModuleDbContext<SecurityDbContext>(SecurityDbContext.MigrationsHistoryTable);
    }
}
