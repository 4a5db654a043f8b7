using TemplatePack.Tests.Templates;

namespace TemplatePack.Tests.Tiers.Contract;

/// <summary>
/// Every `type: parameter` symbol is usable from every host: a description (CLI help, IDE tooltip), an
/// ide.host.json entry (Visual Studio hides parameters without one) that is visible, except the restore switch
/// (IDEs restore on their own, as with Microsoft's templates), and a long option in dotnetcli.host.json.
/// </summary>
[Trait("Tier", "contract")]
public sealed class SymbolMetadataTests
{
    private const string RestoreSymbol = "skipRestore";

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
                p.IdeVisible is false && p.Symbol != RestoreSymbol ? $"{p.Symbol}: ide.host.json entry is not isVisible: true" : null,
                p.IdeVisible is true && p.Symbol == RestoreSymbol ? $"{p.Symbol}: the restore switch is visible in IDEs (isVisible must be false)" : null,
                p.LongName is null ? $"{p.Symbol}: no longName in dotnetcli.host.json" : null,
            })
            .OfType<string>()
            .ToList();

        Assert.True(problems.Count == 0, $"{shortName}:\n  " + string.Join("\n  ", problems));
    }
}
