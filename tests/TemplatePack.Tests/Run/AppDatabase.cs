namespace TemplatePack.Tests.Run;

/// <summary>
/// The database a run-tier app gets: a fresh PostgreSQL database, or a SQLite file in a scratch directory.
/// </summary>
public sealed class AppDatabase : IAsyncDisposable
{
    private readonly TemporaryDatabase? _postgres;

    private AppDatabase(string connectionString, TemporaryDatabase? postgres)
    {
        ConnectionString = connectionString;
        _postgres = postgres;
    }

    public string ConnectionString { get; }

    /// <param name="scenario">Decides the provider.</param>
    /// <param name="postgresServer">The server connection string (required for a PostgreSQL scenario).</param>
    /// <param name="scratchDirectory">Where a SQLite file goes.</param>
    public static async Task<AppDatabase> CreateAsync(Scenario scenario, string? postgresServer, string scratchDirectory)
    {
        if (scenario.UsesPostgres)
        {
            ArgumentNullException.ThrowIfNull(postgresServer);
            var database = await TemporaryDatabase.CreateAsync(postgresServer, scenario.Id);
            return new AppDatabase(database.ConnectionString, database);
        }

        return new AppDatabase($"Data Source={Path.Combine(scratchDirectory, "app.db")}", null);
    }

    public ValueTask DisposeAsync() => _postgres?.DisposeAsync() ?? ValueTask.CompletedTask;
}
