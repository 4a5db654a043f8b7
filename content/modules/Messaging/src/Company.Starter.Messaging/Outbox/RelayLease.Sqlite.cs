namespace Company.Starter.Messaging.Outbox;

// SQLite's relay lease (RelayLease.Postgres.cs is PostgreSQL's, with the same members): the template keeps the file of
// the database the solution was made with.

/// <summary>
/// The right to be the one relay that publishes this database's outbox. A SQLite database is a file one worker process
/// owns, so that worker's relay always holds it; scale out with PostgreSQL, where the lease is an advisory lock.
/// </summary>
internal sealed class RelayLease : IAsyncDisposable
{
    private static readonly RelayLease Held = new();

    public static Task<RelayLease?> TryAcquireAsync(IServiceProvider services, CancellationToken cancellationToken) =>
        Task.FromResult<RelayLease?>(Held);

    public Task EnsureHeldAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
