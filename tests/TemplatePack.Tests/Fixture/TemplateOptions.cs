using System.Text.RegularExpressions;

namespace TemplatePack.Tests.Fixture;

/// <summary>
/// Which generic instantiation flags a template accepts. `dotnet new` rejects `--skip-restore` unless the
/// template declares it, and `--allow-scripts` unless it has a run-script post action (exit 127,
/// "is not a valid option"), so the harness passes each one exactly when the template's `--help` lists it.
/// </summary>
public sealed record TemplateOptions(bool SkipRestore, bool AllowScripts)
{
    public static TemplateOptions FromHelp(string helpOutput) =>
        new(Lists(helpOutput, "--skip-restore"), Lists(helpOutput, "--allow-scripts"));

    private static bool Lists(string helpOutput, string option) =>
        Regex.IsMatch(helpOutput, $@"(^|[\s,]){Regex.Escape(option)}(\s|$)", RegexOptions.Multiline);
}
