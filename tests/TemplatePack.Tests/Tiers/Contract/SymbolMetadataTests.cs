using TemplatePack.Tests.Templates;

namespace TemplatePack.Tests.Tiers.Contract;

/// <summary>
/// Every `type: parameter` symbol is usable from every host: a description (CLI help, IDE tooltip), a visible
/// ide.host.json entry (Visual Studio hides parameters without one) and a long option in dotnetcli.host.json.
/// </summary>
[Trait("Tier", "contract")]
public sealed class SymbolMetadataTests
{
    public static TheoryData<string> TemplateShortNames => TemplateCatalog.Theory();

    [Theory]
    [MemberData(nameof(TemplateShortNames))]
    public void Every_parameter_has_a_description_an_ide_entry_and_a_cli_option(string shortName)
    {
        var config = TemplateConfig.Load(shortName);
        Assert.NotEmpty(config.Parameters);

        var problems = config.Parameters.SelectMany(p => new[]
            {
                string.IsNullOrWhiteSpace(p.Description) ? $"{p.Symbol}: no description in template.json" : null,
                p.IdeVisible is null ? $"{p.Symbol}: no symbolInfo entry in ide.host.json" : null,
                p.IdeVisible is false ? $"{p.Symbol}: ide.host.json entry is not isVisible: true" : null,
                p.LongName is null ? $"{p.Symbol}: no longName in dotnetcli.host.json" : null,
            })
            .OfType<string>()
            .ToList();

        Assert.True(problems.Count == 0, $"{shortName}:\n  " + string.Join("\n  ", problems));
    }
}
