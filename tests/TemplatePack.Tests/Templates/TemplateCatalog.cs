using TemplatePack.Tests.Infrastructure;

namespace TemplatePack.Tests.Templates;

/// <summary>
/// Every template the pack ships: each `templates/&lt;short-name&gt;/.template.config/template.json`. The metadata
/// contracts (descriptions, host files, README tables, help) cover all of them, not only those with scenarios.
/// </summary>
public static class TemplateCatalog
{
    public static IReadOnlyList<string> ShortNames { get; } =
        Directory.Exists(Path.Combine(RepoPaths.Root, "templates"))
            ? Directory.GetDirectories(Path.Combine(RepoPaths.Root, "templates"))
                .Where(d => File.Exists(Path.Combine(d, ".template.config", "template.json")))
                .Select(Path.GetFileName)
                .OfType<string>()
                .Order(StringComparer.Ordinal)
                .ToList()
            : [];

    public static TheoryData<string> Theory() => new(ShortNames);
}
