using System.Text.RegularExpressions;

namespace TemplatePack.Tests.Fixture;

/// <summary>
/// Which generic instantiation flags a template accepts. `dotnet new` rejects `--no-restore` unless the
/// template declares it (the templates' restore switch, named as in Microsoft's templates), and `--allow-scripts`
/// unless it has a run-script post action (exit 127, "is not a valid option"), so the harness passes each one
/// exactly when the template's `--help` lists it.
/// </summary>
public sealed record TemplateOptions(bool NoRestore, bool AllowScripts)
{
    public const string RestoreSwitch = "--no-restore";

    public static TemplateOptions FromHelp(string helpOutput) =>
        new(Lists(helpOutput, RestoreSwitch), Lists(helpOutput, "--allow-scripts"));

    private static bool Lists(string helpOutput, string option) =>
        Regex.IsMatch(helpOutput, $@"(^|[\s,]){Regex.Escape(option)}(\s|$)", RegexOptions.Multiline);
}
