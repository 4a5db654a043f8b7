using Company.Starter.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;

namespace Company.Starter.Data.Tests;

public sealed class MigrationTests(TestEnvironment environment)
{
    [Fact]
    public async Task Migrations_apply_to_an_empty_database_and_leave_nothing_pending()
    {
        await using var host = await DataHost.StartAsync(environment, migrate: false);
        var cancellationToken = TestContext.Current.CancellationToken;

        await using (var scope = host.CreateScope())
        {
            var db = host.Get<AppDbContext>(scope);
            Assert.NotEmpty(await db.Database.GetPendingMigrationsAsync(cancellationToken));
            Assert.Empty(await db.Database.GetAppliedMigrationsAsync(cancellationToken));
        }

        await host.Services.MigrateDatabaseAsync(cancellationToken);

        await using (var scope = host.CreateScope())
        {
            var db = host.Get<AppDbContext>(scope);
            Assert.Empty(await db.Database.GetPendingMigrationsAsync(cancellationToken));
            Assert.Equal(db.Database.GetMigrations(), await db.Database.GetAppliedMigrationsAsync(cancellationToken));
            // The tables exist and are empty.
            Assert.Equal(0, await db.Products.CountAsync(cancellationToken));
            Assert.Equal(0, await db.Sales.CountAsync(cancellationToken));
        }
    }

    [Fact]
    public async Task Migrate_creates_the_database_on_a_first_run()
    {
        // What the README has a user without Docker run first: the server is there, the database is not.
        await using var host = await DataHost.StartAsync(environment, migrate: false, createDatabase: false);
        var cancellationToken = TestContext.Current.CancellationToken;
        await using (var scope = host.CreateScope())
        {
            Assert.False(await host.Get<AppDbContext>(scope).GetService<IRelationalDatabaseCreator>().ExistsAsync(cancellationToken));
        }

        var error = new StringWriter();
        var exitCode = await host.Services.RunMigrateCommandAsync(error, cancellationToken);

        Assert.True(exitCode == 0, $"migrate exited {exitCode}: {error}");
        Assert.Equal(string.Empty, error.ToString());
        await using (var scope = host.CreateScope())
        {
            var db = host.Get<AppDbContext>(scope);
            Assert.Empty(await db.Database.GetPendingMigrationsAsync(cancellationToken));
            Assert.Equal(0, await db.Products.CountAsync(cancellationToken));
        }
    }

    [Fact]
    public async Task Migrate_that_cannot_reach_the_database_fails_with_one_line_and_exit_code_1()
    {
        var unreachable = DatabaseServer.UnreachableConnectionString();
        await using var host = await DataHost.StartAsync(
            environment, migrate: false, overrides: new Dictionary<string, string?> { ["ConnectionStrings:appdb"] = unreachable });

        var error = new StringWriter();
        var exitCode = await host.Services.RunMigrateCommandAsync(error, TestContext.Current.CancellationToken);

        Assert.Equal(1, exitCode);
        var lines = error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var line = Assert.Single(lines);
        Assert.StartsWith("migrate failed: ", line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", line, StringComparison.Ordinal); // no stack frame
    }

    [Fact]
    public async Task Migrating_twice_is_harmless()
    {
        await using var host = await DataHost.StartAsync(environment); // migrated once here
        var cancellationToken = TestContext.Current.CancellationToken;
        await using (var scope = host.CreateScope())
        {
            var db = host.Get<AppDbContext>(scope);
            db.Products.Add(new() { Sku = "KEEP-1", Name = "Kept", Price = 1m });
            await db.SaveChangesAsync(cancellationToken);
        }

        // A second run (every deployment runs `migrate`) must apply nothing again and keep the data.
        await host.Services.MigrateDatabaseAsync(cancellationToken);

        await using (var scope = host.CreateScope())
        {
            var db = host.Get<AppDbContext>(scope);
            Assert.Empty(await db.Database.GetPendingMigrationsAsync(cancellationToken));
            Assert.Equal(db.Database.GetMigrations(), await db.Database.GetAppliedMigrationsAsync(cancellationToken));
            Assert.Equal(["KEEP-1"], await db.Products.Select(p => p.Sku).ToListAsync(cancellationToken));
        }
    }

    [Fact]
    public async Task The_committed_migrations_match_the_model()
    {
        // Fails when someone changes an entity and forgets `dotnet ef migrations add`.
        await using var host = await DataHost.StartAsync(environment, migrate: false);
        await using var scope = host.CreateScope();

        Assert.False(
            host.Get<AppDbContext>(scope).Database.HasPendingModelChanges(),
            "The model has changes that no migration captures: run `dotnet ef migrations add <Name> --project src/Company.Starter.Data`.");
    }
}
