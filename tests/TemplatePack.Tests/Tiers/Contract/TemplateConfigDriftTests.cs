using FullStack.Templates.Engineering;
using TemplatePack.Tests.Infrastructure;
using TemplatePack.Tests.Templates;

namespace TemplatePack.Tests.Tiers.Contract;

/// <summary>
/// The committed .template.config files are exactly what eng/template-config.cs produces from the declarations
/// (content/**/.template.config/module.json, templates/*/.template.config/template.def.json): a hand edit of a
/// generated file, or a declaration changed without regenerating, fails here with the file and first line named.
/// </summary>
[Trait("Tier", "contract")]
public sealed class TemplateConfigDriftTests
{
    private static readonly Lazy<IReadOnlyList<GeneratedFile>> Generated = new(() => TemplateConfigGenerator.Generate(RepoPaths.Root));

    public static TheoryData<string> TemplateShortNames => TemplateCatalog.Theory();

    [Theory]
    [MemberData(nameof(TemplateShortNames))]
    public void Committed_config_is_what_the_declarations_produce(string shortName)
    {
        var prefix = $"templates/{shortName}/.template.config/";
        var files = Generated.Value.Where(f => f.RelativePath.StartsWith(prefix, StringComparison.Ordinal)).ToList();
        Assert.Contains(files, f => f.RelativePath == prefix + "template.json");

        var drift = TemplateConfigGenerator.Drift(RepoPaths.Root, Generated.Value)
            .Where(p => p.StartsWith(prefix, StringComparison.Ordinal))
            .ToList();

        Assert.True(drift.Count == 0,
            $"{shortName}: the generated configuration is out of date. Edit the declarations, not the generated files, then run " +
            $"`dotnet run --file eng/template-config.cs` and commit the result:\n  {string.Join("\n  ", drift)}");
    }

    [Fact]
    public void Every_template_folder_is_declared()
    {
        // A template.json with no template.def.json would be a hand-written template the generator never checks.
        var undeclared = Directory.GetDirectories(Path.Combine(RepoPaths.Root, "templates"))
            .Where(d => !File.Exists(Path.Combine(d, ".template.config", TemplateConfigGenerator.TemplateFileName)))
            .Select(Path.GetFileName)
            .ToList();

        Assert.True(undeclared.Count == 0, $"templates without {TemplateConfigGenerator.TemplateFileName}: {string.Join(", ", undeclared)}");
        Assert.Equal(TemplateCatalog.ShortNames.Count, Generated.Value.Count(f => f.RelativePath.EndsWith("/template.json", StringComparison.Ordinal)));
    }
}
