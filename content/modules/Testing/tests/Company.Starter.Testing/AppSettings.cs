namespace Company.Starter.Testing;

/// <summary>Configuration values for one app under test, and the database they point at (dropped on dispose).</summary>
public sealed class AppSettings(IReadOnlyDictionary<string, string?> values, TestDatabase database) : IAsyncDisposable
{
    public IReadOnlyDictionary<string, string?> Values { get; } = values;

    public TestDatabase Database { get; } = database;

    public ValueTask DisposeAsync() => Database.DisposeAsync();
}
