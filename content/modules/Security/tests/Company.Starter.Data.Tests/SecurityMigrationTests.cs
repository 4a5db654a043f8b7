using Company.Starter.Data.Security;
using Company.Starter.Testing;
using Microsoft.EntityFrameworkCore;

namespace Company.Starter.Data.Tests;

/// <summary>
/// The security module's tables in the data module's database: they migrate with the rest (from a migration history
/// of their own) and their committed migrations match the model. A file of the security module, so a solution without
/// user accounts has neither the tables nor these tests.
/// </summary>
public sealed class SecurityMigrationTests(TestEnvironment environment)
{
    [Fact]
    public async Task The_committed_security_migrations_match_the_model()
    {
        // Fails when someone changes a security entity and forgets `dotnet ef migrations add`.
        await using var host = await DataHost.StartAsync(environment, migrate: false);
        await using var scope = host.CreateScope();

        Assert.False(
            host.Get<SecurityDbContext>(scope).Database.HasPendingModelChanges(),
            "The security model has changes that no migration captures: run `dotnet ef migrations add <Name> --project src/Company.Starter.Data --context SecurityDbContext --output-dir Security/Migrations/<Provider>`.");
    }

    [Fact]
    public async Task The_security_tables_migrate_with_the_rest()
    {
        await using var host = await DataHost.StartAsync(environment);
        await using var scope = host.CreateScope();
        var db = host.Get<SecurityDbContext>(scope);

        Assert.Empty(await db.Database.GetPendingMigrationsAsync(TestContext.Current.CancellationToken));
        // The passkey table exists (Identity schema version 3) and is empty.
        Assert.Equal(0, await db.UserPasskeys.CountAsync(TestContext.Current.CancellationToken));
        Assert.Equal(0, await db.RefreshTokens.CountAsync(TestContext.Current.CancellationToken));
    }
}
