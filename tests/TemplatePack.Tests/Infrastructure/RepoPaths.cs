namespace TemplatePack.Tests.Infrastructure;

/// <summary>Locations inside the template-pack repository, found from wherever the harness runs.</summary>
public static class RepoPaths
{
    private static readonly Lazy<string> RootLazy = new(FindRoot);

    /// <summary>The folder holding TemplatePack.csproj (walking up from the test binary).</summary>
    public static string Root => RootLazy.Value;

    public static string PackProject => Path.Combine(Root, "TemplatePack.csproj");

    public static string Readme => Path.Combine(Root, "README.md");

    public static string TemplateConfig(string shortName) => Path.Combine(Root, "templates", shortName, ".template.config");

    public static string SnapshotsDirectory => Path.Combine(Root, "tests", "TemplatePack.Tests", "Snapshots");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "TemplatePack.csproj")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No TemplatePack.csproj above {AppContext.BaseDirectory}: run the harness from inside the repository.");
    }
}
