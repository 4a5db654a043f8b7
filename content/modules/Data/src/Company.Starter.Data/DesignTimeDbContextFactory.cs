using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Company.Starter.Data;

/// <summary>
/// Lets <c>dotnet ef migrations add</c> build the model without starting the Api. Adding a migration needs no database;
/// for <c>dotnet ef database update</c> pass <c>--connection</c> (or run the Api's <c>migrate</c> step).
/// </summary>
internal sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<AppDbContext>
{
    public AppDbContext CreateDbContext(string[] args)
    {
        var options = DatabaseProvider.UseDesignTimeDatabase(new DbContextOptionsBuilder<AppDbContext>())
            .UseSnakeCaseNamingConvention()
            .Options;
        return new AppDbContext(options);
    }
}
