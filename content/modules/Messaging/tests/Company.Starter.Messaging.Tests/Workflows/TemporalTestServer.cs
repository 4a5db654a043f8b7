using Temporalio.Testing;

namespace Company.Starter.Messaging.Tests.Workflows;

/// <summary>
/// Temporal's time-skipping test server, one per test class. The SDK downloads it on first use (to the temp folder),
/// which works on a developer machine and on GitHub's CI; without network the tests that need it skip, saying so. On an
/// offline machine, set <c>COMPANY_STARTER_TEST_TEMPORAL_SERVER</c> to the path of a temporal-test-server binary: then
/// a server that does not start fails the tests instead of skipping them.
/// </summary>
public sealed class TemporalTestServer : IAsyncLifetime
{
    public const string Variable = "COMPANY_STARTER_TEST_TEMPORAL_SERVER";

    /// <summary>Download and start together; a network that swallows packets must not hang the test run.</summary>
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);

    private WorkflowEnvironment? _environment;
    private string? _skipReason;

    /// <summary>The running environment; skips the calling test when the server could not be had.</summary>
    public WorkflowEnvironment Environment
    {
        get
        {
            Assert.SkipWhen(_skipReason is not null, _skipReason ?? string.Empty);
            return _environment!;
        }
    }

    public async ValueTask InitializeAsync()
    {
        var existingPath = System.Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } path ? path : null;
        var options = new WorkflowEnvironmentStartTimeSkippingOptions { TestServer = new TestServerOptions { ExistingPath = existingPath } };
        try
        {
            _environment = await WorkflowEnvironment.StartTimeSkippingAsync(options).WaitAsync(StartTimeout);
        }
        catch (Exception failure) when (existingPath is null && failure is InvalidOperationException or TimeoutException)
        {
            // The SDK reports a failed download or start as InvalidOperationException ("Connection failed: failed to
            // download ephemeral server executable: ...").
            _skipReason = $"The Temporal test server could not be started (it is downloaded on first use; no network here?): {failure.Message}";
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_environment is not null)
        {
            await _environment.ShutdownAsync();
        }
    }
}
