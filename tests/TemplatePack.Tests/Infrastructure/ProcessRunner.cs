namespace TemplatePack.Tests.Infrastructure;

/// <summary>The one way the harness runs a command to completion (see <see cref="RunningProcess"/>).</summary>
public static class ProcessRunner
{
    public static async Task<ProcessResult> RunAsync(ProcessSpec spec, CancellationToken cancellationToken = default)
    {
        await using var process = RunningProcess.Start(spec);
        return await process.WaitAsync(cancellationToken);
    }
}
