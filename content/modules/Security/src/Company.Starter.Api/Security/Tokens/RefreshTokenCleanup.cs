using Microsoft.Extensions.Options;

namespace Company.Starter.Api.Security.Tokens;

/// <summary>
/// Deletes the refresh tokens of ended sign-ins every <see cref="TokenOptions.CleanupInterval"/>, so the table holds
/// live sign-ins only rather than every token ever issued. Every instance runs it; the delete is idempotent.
/// </summary>
public sealed partial class RefreshTokenCleanup(
    IServiceScopeFactory scopes,
    IOptions<TokenOptions> options,
    TimeProvider clock,
    ILogger<RefreshTokenCleanup> logger) : BackgroundService
{
    /// <summary>One pass: deletes the tokens of ended sign-ins and returns how many it deleted.</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<RefreshTokens>().DeleteEndedAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.CleanupInterval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                LogDeleted(logger, await RunOnceAsync(stoppingToken));
            }
            catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
            {
                // The database may be away for a while: the next pass tries again, and the app keeps serving.
                LogFailed(logger, ex, options.Value.CleanupInterval);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted {Count} refresh tokens of ended sign-ins")]
    private static partial void LogDeleted(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not delete the refresh tokens of ended sign-ins; trying again in {Interval}")]
    private static partial void LogFailed(ILogger logger, Exception exception, TimeSpan interval);
}
