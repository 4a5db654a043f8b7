using System.Text.RegularExpressions;
using TemplatePack.Tests.Fixture;

namespace TemplatePack.Tests.Tiers.Contract;

/// <summary>
/// Each scenario's declared Database/Cache is what the generated solution actually references: this is where
/// "the cache default follows the database" and "explicit options beat the preset" are proven.
/// </summary>
[Trait("Tier", "contract")]
public sealed partial class ScenarioExpectationTests(TemplatePackFixture fixture)
{
    public static TheoryData<string> ScenarioIds => Scenarios.Ids();

    [Fact]
    public void Every_slow_check_is_carried_by_some_scenario()
    {
        // A check no scenario carries would vanish from its tier without a failure.
        var uncarried = Enum.GetValues<ScenarioChecks>()
            .Where(check => check != ScenarioChecks.None && !Scenarios.All.Any(s => s.Checks.HasFlag(check)))
            .ToList();
        Assert.Empty(uncarried);
    }

    [Theory]
    [MemberData(nameof(ScenarioIds))]
    public async Task Generated_packages_match_the_expected_database_and_cache(string scenarioId)
    {
        var scenario = Scenarios.Get(scenarioId);
        var solution = await fixture.GenerateAsync(scenario);

        var packages = solution.Files("*.*proj").Concat(solution.Files("*.props"))
            .SelectMany(f => PackageItem().Matches(File.ReadAllText(f)).Select(m => m.Groups["id"].Value))
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        var summary = string.Join(", ", packages.Order());

        Assert.True(packages.Any(p => p.Contains("Npgsql", StringComparison.OrdinalIgnoreCase)) == scenario.UsesPostgres,
            $"{scenarioId} expects database {scenario.Database}; packages: {summary}");
        Assert.True(packages.Any(p => p.Contains("Sqlite", StringComparison.OrdinalIgnoreCase)) == (scenario.Database == "sqlite"),
            $"{scenarioId} expects database {scenario.Database}; packages: {summary}");
        Assert.True(packages.Any(p => p.Contains("Redis", StringComparison.OrdinalIgnoreCase)) == scenario.UsesRedis,
            $"{scenarioId} expects cache {scenario.Cache}; packages: {summary}");
        Assert.True(packages.Contains("OpenTelemetry.Exporter.Prometheus.AspNetCore") == scenario.MetricsEndpoint,
            $"{scenarioId} expects a /metrics endpoint: {scenario.MetricsEndpoint}; packages: {summary}");
        Assert.True(Directory.Exists(Path.Combine(solution.Directory, "deploy", "observability")) == scenario.ObservabilityDeploy,
            $"{scenarioId} expects deploy/observability: {scenario.ObservabilityDeploy}");
        Assert.True(packages.Contains("Microsoft.AspNetCore.Identity.EntityFrameworkCore") == scenario.UsesAuth,
            $"{scenarioId} expects auth {scenario.Auth}; packages: {summary}");
        Assert.True(packages.Contains("Microsoft.Playwright") == scenario.UsesPasskeys,
            $"{scenarioId} expects the passkey browser test: {scenario.UsesPasskeys}; packages: {summary}");
        var apiDirectory = Path.Combine(solution.Directory, "src", scenario.CodeName + ".Api");
        Assert.True(Directory.Exists(Path.Combine(apiDirectory, "wwwroot", "account")) == scenario.UsesPasskeys,
            $"{scenarioId} expects the passkey page: {scenario.UsesPasskeys}");
        Assert.True(File.Exists(Path.Combine(apiDirectory, "Products", "ProductEndpoints.cs")) == scenario.Rest,
            $"{scenarioId} expects REST endpoints: {scenario.Rest}");
    }

    [GeneratedRegex("""<Package(?:Reference|Version)\s+Include="(?<id>[^"]+)""")]
    private static partial Regex PackageItem();
}
