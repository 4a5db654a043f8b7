namespace TemplatePack.Tests.Infrastructure;

/// <summary>How a finished process ended and what it printed.</summary>
public sealed record ProcessResult(ProcessSpec Spec, int ExitCode, string StandardOutput, string StandardError, bool TimedOut, TimeSpan Elapsed)
{
    public string CombinedOutput => StandardOutput + StandardError;

    /// <summary>A readable account for assertion messages: the command, the exit, and both streams.</summary>
    public string Describe(int maxChars = 12_000) =>
        $"""
        command: {Spec}
        cwd: {Spec.WorkingDirectory}
        exit: {(TimedOut ? $"killed after timeout {Spec.Timeout}" : ExitCode.ToString())} in {Elapsed.TotalSeconds:F1}s
        --- stdout ---
        {Tail(StandardOutput, maxChars)}
        --- stderr ---
        {Tail(StandardError, maxChars)}
        """;

    // Build logs can be megabytes; the end is where the errors and summaries are.
    private static string Tail(string text, int max) =>
        text.Length <= max ? text : "…(truncated)…\n" + text[^max..];
}
