using TemplatePack.Tests.Fixture;

namespace TemplatePack.Tests.Tiers;

/// <summary>Every scenario builds in Release with warnings as errors, as a user's CI would build it.</summary>
[Trait("Tier", "build")]
public sealed class BuildTests(TemplatePackFixture fixture, ITestOutputHelper output)
{
    public static TheoryData<string> ScenarioIds => Scenarios.Ids();

    [Theory]
    [MemberData(nameof(ScenarioIds))]
    public async Task Builds_with_warnings_as_errors(string scenarioId)
    {
        var build = await fixture.BuildAsync(Scenarios.Get(scenarioId));

        output.WriteLine($"dotnet build: exit {build.ExitCode} in {build.Elapsed.TotalSeconds:F0}s");
        Assert.True(build.ExitCode == 0, build.Describe());

        // The build runs the app once to write the OpenAPI document; an error it logs there is one a user reads in
        // every build and learns to ignore.
        var errors = (build.StandardOutput + "\n" + build.StandardError).Split('\n')
            .Where(line => line.Contains("\"level\":\"Error\"", StringComparison.Ordinal) || line.Contains("\"level\":\"Critical\"", StringComparison.Ordinal))
            .ToList();
        var first = errors.FirstOrDefault()?.Trim() ?? "";
        Assert.True(errors.Count == 0, $"the build logged {errors.Count} error line(s); the first: {first[..Math.Min(600, first.Length)]}");
    }
}
