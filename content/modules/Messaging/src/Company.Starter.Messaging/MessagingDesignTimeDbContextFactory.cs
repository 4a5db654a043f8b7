using Company.Starter.Data;
using Microsoft.EntityFrameworkCore.Design;

namespace Company.Starter.Messaging;

/// <summary>
/// Lets <c>dotnet ef migrations add X --project src/Company.Starter.Messaging --output-dir Migrations/&lt;Provider&gt;</c>
/// build the model without starting a host: the solution's database provider, connecting to nothing.
/// </summary>
internal sealed class MessagingDesignTimeDbContextFactory : IDesignTimeDbContextFactory<MessagingDbContext>
{
    public MessagingDbContext CreateDbContext(string[] args) =>
        new(DesignTimeDatabase.Options<MessagingDbContext>(MessagingDbContext.MigrationsHistoryTable));
}
