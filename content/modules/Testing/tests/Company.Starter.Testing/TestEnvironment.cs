namespace Company.Starter.Testing;

/// <summary>
/// The real services the tests run against, shared by the whole test assembly (register it with
/// <c>[assembly: AssemblyFixture(typeof(TestEnvironment))]</c>). Each app under test gets settings of its own.
/// </summary>
public sealed class TestEnvironment : IAsyncDisposable
{
    public DatabaseServer Databases { get; } = new();
#if (UseRedis)

    public CacheServer Cache { get; } = new();
#endif

    /// <summary>
    /// Configuration for one instance of the app: a new empty database and, with Redis, a key prefix of its own.
    /// Skips the calling test (with the reason) when a service is unavailable.
    /// </summary>
    public Task<AppSettings> CreateAppSettingsAsync(CancellationToken cancellationToken = default) =>
        CreateAppSettingsAsync(createDatabase: true, cancellationToken);

    /// <summary>
    /// As <see cref="CreateAppSettingsAsync(CancellationToken)"/>; with <paramref name="createDatabase"/> false the
    /// database is only named, not created, as on an app's first run.
    /// </summary>
    public async Task<AppSettings> CreateAppSettingsAsync(bool createDatabase, CancellationToken cancellationToken = default)
    {
#if (UseRedis)
        var redis = await Cache.GetConnectionStringAsync(cancellationToken);
#endif
        var database = createDatabase
            ? await Databases.CreateDatabaseAsync(cancellationToken)
            : await Databases.ReserveDatabaseAsync(cancellationToken);
        var values = new Dictionary<string, string?>
        {
            ["ConnectionStrings:appdb"] = database.ConnectionString,
#if (UseRedis)
            ["ConnectionStrings:redis"] = redis,
            // Tests share the Redis server, never its keys.
            ["Data:CacheKeyPrefix"] = $"test-{Guid.NewGuid():N}:",
#endif
        };
        return new AppSettings(values, database);
    }

    public async ValueTask DisposeAsync()
    {
        await Databases.DisposeAsync();
#if (UseRedis)
        await Cache.DisposeAsync();
#endif
    }
}
