using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.Extensions.DependencyInjection;

namespace Company.Starter.Data.Security;

/// <summary>
/// Lets <c>dotnet ef migrations add X --context SecurityDbContext --output-dir Security/Migrations/&lt;Provider&gt;</c>
/// build the model without starting the Api.
/// </summary>
internal sealed class SecurityDesignTimeDbContextFactory : IDesignTimeDbContextFactory<SecurityDbContext>
{
    public SecurityDbContext CreateDbContext(string[] args)
    {
        // Identity reads its schema version from IdentityOptions in the application's services; version 3 maps the
        // passkey table (.NET 10). The app sets the same in AddSecurity.
        var services = new ServiceCollection()
            .Configure<IdentityOptions>(identity => identity.Stores.SchemaVersion = IdentitySchemaVersions.Version3)
            .BuildServiceProvider();
        return new SecurityDbContext(DesignTimeDatabase.Options<SecurityDbContext>(SecurityDbContext.MigrationsHistoryTable, services));
    }
}
