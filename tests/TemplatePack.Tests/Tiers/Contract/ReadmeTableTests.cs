using TemplatePack.Tests.Infrastructure;
using TemplatePack.Tests.Templates;

namespace TemplatePack.Tests.Tiers.Contract;

/// <summary>The README's option table for each template says exactly what template.json does.</summary>
[Trait("Tier", "contract")]
public sealed class ReadmeTableTests
{
    public static TheoryData<string> TemplateShortNames => TemplateCatalog.Theory();

    [Theory]
    [MemberData(nameof(TemplateShortNames))]
    public void Readme_option_table_matches_template_json(string shortName)
    {
        Assert.True(File.Exists(RepoPaths.Readme), $"Missing {RepoPaths.Readme}");
        var rows = ReadmeOptionTables.Find(File.ReadAllText(RepoPaths.Readme), shortName);
        Assert.True(rows is not null, $"README.md has no heading containing '{shortName}' (expected e.g. `### {shortName}` followed by its option table)");
        Assert.True(rows.Count > 0, $"README.md section '{shortName}' has no `| --option | choices | default | description |` rows");

        var config = TemplateConfig.Load(shortName);
        var documented = rows.Select(r => r.Option).ToHashSet(StringComparer.Ordinal);
        var declared = config.Parameters.Select(p => p.CliOption).ToHashSet(StringComparer.Ordinal);
        Assert.True(documented.SetEquals(declared),
            $"{shortName}: README rows missing for [{string.Join(", ", declared.Except(documented))}]; " +
            $"README rows not in template.json [{string.Join(", ", documented.Except(declared))}]");
        Assert.True(rows.Count == documented.Count, $"{shortName}: README lists an option twice");

        foreach (var parameter in config.Parameters)
        {
            var row = rows.Single(r => r.Option == parameter.CliOption);
            Assert.True(ChoicesMatch(parameter, row.Choices),
                $"{shortName} {row.Option}: README choices [{string.Join(", ", row.Choices)}] ≠ template.json [{string.Join(", ", parameter.Choices)}]");
            Assert.True(DefaultMatches(parameter, row.Default),
                $"{shortName} {row.Option}: README default '{row.Default}' ≠ template.json defaultValue '{parameter.DefaultValue}'" +
                (parameter.DefaultValue.Length == 0 ? " (no fixed default: the cell must be empty, a dash, or text that is not a single choice)" : ""));
            Assert.False(string.IsNullOrWhiteSpace(row.Description), $"{shortName} {row.Option}: README description is empty");
        }
    }

    private static bool ChoicesMatch(TemplateParameter parameter, IReadOnlySet<string> readme) =>
        parameter.DataType == "bool"
            // A bool may be documented with no choices or as true/false.
            ? readme.Count == 0 || readme.SetEquals(["true", "false"])
            : readme.SetEquals(parameter.Choices);

    private static bool DefaultMatches(TemplateParameter parameter, string readme) =>
        parameter.DefaultValue.Length > 0
            ? string.Equals(readme, parameter.DefaultValue, StringComparison.OrdinalIgnoreCase)
            // No defaultValue (e.g. a preset decides it): the README must not pretend one choice is the default.
            : !parameter.Choices.Contains(readme, StringComparer.OrdinalIgnoreCase);
}
