using Npgsql;
using TemplatePack.Tests.Infrastructure;
using TemplatePack.Tests.Run;

namespace TemplatePack.Tests.Tiers;

/// <summary>
/// The outage test is only as good as its proxy: prove that Cut() really breaks PostgreSQL connections and
/// Restore() really brings them back, independently of any generated app.
/// </summary>
[Trait("Tier", "run")]
public sealed class TcpProxyTests
{
    [Fact]
    public async Task Cut_breaks_and_restore_heals_a_postgres_connection()
    {
        var server = new NpgsqlConnectionStringBuilder(TestServices.RequirePostgres());
        await using var proxy = new TcpProxy(server.Host ?? "127.0.0.1", server.Port);
        var viaProxy = new NpgsqlConnectionStringBuilder(server.ConnectionString)
        {
            Host = "127.0.0.1", Port = proxy.Port, Pooling = false, Timeout = 5,
        }.ConnectionString;
        var token = TestContext.Current.CancellationToken;

        await using var open = new NpgsqlConnection(viaProxy);
        await open.OpenAsync(token);
        Assert.Equal(1, await Scalar(open, token));

        proxy.Cut();
        await Assert.ThrowsAnyAsync<Exception>(() => Scalar(open, token)); // the open connection was aborted
        await Assert.ThrowsAnyAsync<NpgsqlException>(async () =>
        {
            await using var refused = new NpgsqlConnection(viaProxy);
            await refused.OpenAsync(token); // and nothing listens while cut
        });

        proxy.Restore();
        await using var again = new NpgsqlConnection(viaProxy);
        await again.OpenAsync(token);
        Assert.Equal(1, await Scalar(again, token));
    }

    private static async Task<int> Scalar(NpgsqlConnection connection, CancellationToken token)
    {
        await using var command = new NpgsqlCommand("SELECT 1", connection);
        return (int)(await command.ExecuteScalarAsync(token))!;
    }
}
