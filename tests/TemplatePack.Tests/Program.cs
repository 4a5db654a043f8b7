using TemplatePack.Tests.Reporting;

namespace TemplatePack.Tests;

/// <summary>
/// The harness executable: xunit's in-process console runner, plus `summarize &lt;xml&gt;`, which eng/test.sh runs after
/// the tests to add up the result file under the rules of <see cref="TestRunReport"/> (kept in this assembly so the
/// contract tier tests the rules and the summary reads the tiers the tests declare).
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args) =>
        args is ["summarize", .. var rest]
            ? TestRunReport.Summarize(rest)
            : await Xunit.Runner.InProc.SystemConsole.ConsoleRunner.Run(args);
}
