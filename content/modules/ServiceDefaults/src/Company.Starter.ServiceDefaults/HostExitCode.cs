using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.Hosting;

/// <summary>Runs the app as its <c>Main</c> should end: with an exit code an operator or an orchestrator can act on.</summary>
public static class HostExitCode
{
    /// <summary>
    /// Runs the host until it stops and returns 0. A setting that fails validation at start (<c>ValidateOnStart</c>)
    /// ends it with one line on <paramref name="error"/> naming every failed setting, and exit code 1, instead of an
    /// unhandled exception (an abort and a core dump on Linux). Any other failure is a bug and stays unhandled.
    /// </summary>
    public static async Task<int> RunToExitCodeAsync(this IHost host, TextWriter? error = null)
    {
        try
        {
            await host.RunAsync();
            return 0;
        }
        catch (Exception exception) when (InvalidSettings(exception) is { Count: > 0 } failures)
        {
            // One line, whatever the messages hold, so a log collector keeps it whole.
            await (error ?? Console.Error).WriteLineAsync($"The app cannot start: {string.Join(" ", failures).ReplaceLineEndings(" ")}");
            return 1;
        }
    }

    private static List<string> InvalidSettings(Exception exception) => exception switch
    {
        OptionsValidationException invalid => [.. invalid.Failures],
        AggregateException all when all.InnerExceptions.All(e => e is OptionsValidationException) =>
            [.. all.InnerExceptions.Cast<OptionsValidationException>().SelectMany(e => e.Failures)],
        _ => [],
    };
}
