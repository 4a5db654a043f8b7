namespace Company.Starter.Testing;

/// <summary>
/// The real services the tests run against, shared by the whole test assembly (register it with
/// <c>[assembly: AssemblyFixture(typeof(TestEnvironment))]</c>). Each app under test gets settings of its own.
/// </summary>
/// <remarks>
/// The cache's part is in TestEnvironment.Redis.cs or, in a solution without Redis, TestEnvironment.InProcessCache.cs:
/// the template keeps the one that matches the solution.
/// </remarks>
public sealed partial class TestEnvironment : IAsyncDisposable
{
    public DatabaseServer Databases { get; } = new();

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
        // The cache first: a test skipped for want of it leaves no database behind.
        var values = await CreateCacheSettingsAsync(cancellationToken);
        var database = createDatabase
            ? await Databases.CreateDatabaseAsync(cancellationToken)
            : await Databases.ReserveDatabaseAsync(cancellationToken);
        values["ConnectionStrings:appdb"] = database.ConnectionString;
        return new AppSettings(values, database);
    }

    public async ValueTask DisposeAsync()
    {
        await Databases.DisposeAsync();
        await DisposeCacheAsync();
    }

    /// <summary>The settings that point an app at the cache, in a new dictionary the database's are added to.</summary>
    private partial Task<Dictionary<string, string?>> CreateCacheSettingsAsync(CancellationToken cancellationToken);

    private partial ValueTask DisposeCacheAsync();
}
