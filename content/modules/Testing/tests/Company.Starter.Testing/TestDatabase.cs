namespace Company.Starter.Testing;

/// <summary>A database that exists for one test (or one test class) and is removed afterwards.</summary>
public sealed class TestDatabase(string connectionString, Func<ValueTask> drop) : IAsyncDisposable
{
    public string ConnectionString { get; } = connectionString;

    public ValueTask DisposeAsync() => drop();
}
