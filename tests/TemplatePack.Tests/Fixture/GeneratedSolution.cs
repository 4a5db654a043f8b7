using TemplatePack.Tests.Infrastructure;

namespace TemplatePack.Tests.Fixture;

/// <summary>A scenario instantiated into its own directory under /tmp (outside the repository).</summary>
/// <param name="Tree">
/// The tree rendered right after `dotnet new`, before any build or run could add files: what the snapshot
/// tier compares, whatever other tiers do to the directory concurrently.
/// </param>
public sealed record GeneratedSolution(Scenario Scenario, string Directory, ProcessResult Generation, string Tree)
{
    public string SolutionFile => Path.Combine(Directory, Scenario.CodeName + ".slnx");

    public string ApiProjectDirectory => Path.Combine(Directory, "src", Scenario.CodeName + ".Api");

    public string ApiDll => Path.Combine(ApiProjectDirectory, "bin", "Release", "net10.0", Scenario.CodeName + ".Api.dll");

    /// <summary>The messaging worker's built assembly (solutions with the messaging module).</summary>
    public string WorkerDll => Path.Combine(Directory, "src", Scenario.CodeName + ".Worker", "bin", "Release", "net10.0", Scenario.CodeName + ".Worker.dll");

    /// <summary>Generated files matching <paramref name="pattern"/>, never build output (bin/obj).</summary>
    public IEnumerable<string> Files(string pattern) =>
        System.IO.Directory.EnumerateFiles(Directory, pattern, SearchOption.AllDirectories)
            .Where(f => !Path.GetRelativePath(Directory, f).Split(Path.DirectorySeparatorChar).SkipLast(1).Any(d => d is "bin" or "obj"));
}
