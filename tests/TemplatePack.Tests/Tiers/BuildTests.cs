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
    }
}
