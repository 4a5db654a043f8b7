using TemplatePack.Tests.Fixture;
using TemplatePack.Tests.Templates;

namespace TemplatePack.Tests.Tiers.Contract;

/// <summary>
/// The installed package offers both templates (`dotnet new list`), each with its description and every option
/// (`dotnet new &lt;template&gt; --help`: on SDK 10 `list` prints names, short names and tags but no descriptions).
/// </summary>
[Trait("Tier", "contract")]
public sealed class TemplateHelpTests(TemplatePackFixture fixture)
{
    public static TheoryData<string> TemplateShortNames => TemplateCatalog.Theory();

    [Fact]
    public async Task Installed_package_lists_both_templates()
    {
        var hive = await fixture.HiveAsync();

        var list = await hive.RunAsync(["list"]);

        Assert.True(list.ExitCode == 0, list.Describe());
        foreach (var shortName in TemplateCatalog.ShortNames)
        {
            Assert.Contains(shortName, list.StandardOutput, StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(TemplateShortNames))]
    public async Task Help_shows_the_description_and_every_option(string shortName)
    {
        var hive = await fixture.HiveAsync();
        var config = TemplateConfig.Load(shortName);

        var help = await hive.HelpAsync(shortName);

        Assert.True(help.ExitCode == 0, help.Describe());
        Assert.False(string.IsNullOrWhiteSpace(config.Description), $"{shortName}: template.json has no description");
        // `--help` wraps long lines at ~80 columns; compare with whitespace collapsed.
        Assert.Contains(Collapse(config.Description), Collapse(help.StandardOutput), StringComparison.Ordinal);
        foreach (var parameter in config.Parameters)
        {
            Assert.Contains(parameter.CliOption, help.StandardOutput, StringComparison.Ordinal);
        }
    }

    private static string Collapse(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
