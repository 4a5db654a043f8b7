using System.Text;
using Company.Starter.Data.Security;
using Company.Starter.Testing;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Company.Starter.Api.Tests.Security;

/// <summary>
/// The data protection key ring lives in the database: what one instance protects (a passkey ceremony's state, an
/// antiforgery token, Identity's cookies) another instance on the same database reads, and so does the next deployment.
/// </summary>
public sealed class DataProtectionTests(TestEnvironment environment)
{
    private static CancellationToken CancellationToken => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Instances_on_one_database_share_the_key_ring_it_holds()
    {
        await using var first = await ApiFactory.StartAsync(environment);
        var payload = Protector(first).Protect(Encoding.UTF8.GetBytes("ceremony state"));

        // The key that protected it (its id follows the 4-byte magic header of every payload) is a row of the
        // database, not a file of this machine.
        var keyId = new Guid(payload.AsSpan(4, 16));
        await using (var scope = first.Services.CreateAsyncScope())
        {
            var keys = await scope.ServiceProvider.GetRequiredService<SecurityDbContext>().DataProtectionKeys.AsNoTracking().ToListAsync(CancellationToken);
            Assert.Contains(keys, key => key.Xml is { } xml && xml.Contains($"id=\"{keyId}\"", StringComparison.Ordinal));
        }

        // Another instance, as a second replica or the next deployment would be: the same database, nothing else shared
        // but the process.
        var database = first.Services.GetRequiredService<IConfiguration>().GetConnectionString("appdb");
        await using var second = await ApiFactory.StartAsync(environment, settings: new Dictionary<string, string?> { ["ConnectionStrings:appdb"] = database });
        Assert.Equal("ceremony state", Encoding.UTF8.GetString(Protector(second).Unprotect(payload)));
    }

    private static IDataProtector Protector(ApiFactory api) =>
        api.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector(nameof(DataProtectionTests));
}
