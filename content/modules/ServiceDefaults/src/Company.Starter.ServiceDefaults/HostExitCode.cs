using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.Hosting;

/// <summary>How the process ends when a setting is wrong: one line naming it and exit code 1, for operators and orchestrators.</summary>
public static class HostExitCode
{
    private static int _installed;

    /// <summary>
    /// From now on, a setting that fails validation (<c>ValidateOnStart</c>, or an options value read while the app is
    /// built) ends the process with one line on stderr naming every failed setting and exit code 1, instead of an
    /// unhandled exception: a stack trace, an abort and a core dump on Linux. Any other unhandled exception is a bug and
    /// is left to the runtime. Installed once per process, by <c>AddServiceDefaults</c>.
    /// </summary>
    public static void ExitOnInvalidSettings()
    {
        if (Interlocked.Exchange(ref _installed, 1) == 1)
        {
            return;
        }

        AppDomain.CurrentDomain.UnhandledException += (_, unhandled) =>
        {
            if (unhandled.ExceptionObject is Exception exception && Describe(exception) is { } line)
            {
                Console.Error.WriteLine(line);
                Environment.Exit(1);
            }
        };
    }

    /// <summary>
    /// The line <see cref="ExitOnInvalidSettings"/> writes for <paramref name="exception"/>: every failed setting, on one
    /// line whatever the messages hold (so a log collector keeps it whole); <see langword="null"/> when the exception is
    /// not (only) invalid settings, and the process should fail as it would anyway.
    /// </summary>
    public static string? Describe(Exception exception) => InvalidSettings(exception) is { Count: > 0 } failures
        ? $"The app cannot start: {string.Join(" ", failures).ReplaceLineEndings(" ")}"
        : null;

    private static List<string> InvalidSettings(Exception exception) => exception switch
    {
        OptionsValidationException invalid => [.. invalid.Failures],
        AggregateException all when all.InnerExceptions.All(e => e is OptionsValidationException) =>
            [.. all.InnerExceptions.Cast<OptionsValidationException>().SelectMany(e => e.Failures)],
        _ => [],
    };
}
