using System.Text.Json;
using TemplatePack.Tests.Infrastructure;

namespace TemplatePack.Tests.Fixture;

/// <summary>
/// The `dotnet test` command for a generated solution, in whichever mode the solution chose. On the .NET 10
/// SDK `dotnet test` is VSTest unless global.json says `"test": { "runner": "Microsoft.Testing.Platform" }`;
/// the two modes take different arguments (an MTP run forwards unknown ones such as `-nodeReuse:false` to
/// the test apps, which then exit 5 "Zero tests ran"), and write TRX differently.
/// </summary>
public static class GeneratedTestCommand
{
    public static bool UsesTestingPlatform(string solutionDirectory)
    {
        var globalJson = Path.Combine(solutionDirectory, "global.json");
        if (!File.Exists(globalJson))
        {
            return false;
        }

        using var document = JsonDocument.Parse(File.ReadAllText(globalJson), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        return document.RootElement.TryGetProperty("test", out var test)
            && test.TryGetProperty("runner", out var runner)
            && runner.GetString() == "Microsoft.Testing.Platform";
    }

    /// <summary>
    /// `dotnet test` of one already built test project, writing its TRX into <paramref name="resultsDirectory"/>. One
    /// project per run, each into its own directory: test apps of one solution run write TRX files named by the
    /// second they finish, and two that finish together overwrite each other (seen: 1 TRX file for 2 projects).
    /// </summary>
    public static ProcessSpec Create(GeneratedSolution solution, string testProject, string resultsDirectory) =>
        UsesTestingPlatform(solution.Directory)
            ? ProcessSpec.Dotnet("test", "--project", testProject, "--no-build", "-c", "Release",
                "--results-directory", resultsDirectory, "--report-xunit-trx")
            : ProcessSpec.Dotnet(["test", testProject, "--no-build", "-c", "Release",
                "--logger", "trx", "--results-directory", resultsDirectory, .. Dotnet.NoBuildServers]);
}
