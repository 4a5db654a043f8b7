using System.Text.RegularExpressions;
using TemplatePack.Tests.Fixture;
using TemplatePack.Tests.Infrastructure;
using TemplatePack.Tests.Templates;

namespace TemplatePack.Tests.Tiers.Contract;

/// <summary>
/// Each scenario's expected choices are what the generated solution actually holds: this is where "the cache default
/// follows the database" and "explicit options beat the preset" are proven. Which files a choice brings is not restated
/// here: <see cref="ModuleTable"/> derives it from the modules' declarations, so a module that leaks a file into a
/// solution that turned it off, or loses one, fails this tier.
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

        var packages = Packages(solution.Files("*.*proj").Concat(solution.Files("*.props")));
        var summary = string.Join(", ", packages.Order());

        Assert.True(packages.Any(p => p.Contains("Npgsql", StringComparison.OrdinalIgnoreCase)) == scenario.UsesPostgres,
            $"{scenarioId} expects database {scenario.Expect.Database}; packages: {summary}");
        Assert.True(packages.Any(p => p.Contains("Sqlite", StringComparison.OrdinalIgnoreCase)) == (scenario.Expect.Database == Database.Sqlite),
            $"{scenarioId} expects database {scenario.Expect.Database}; packages: {summary}");
        Assert.True(packages.Any(p => p.Contains("Redis", StringComparison.OrdinalIgnoreCase)) == scenario.UsesRedis,
            $"{scenarioId} expects cache {scenario.Expect.Cache}; packages: {summary}");
        Assert.True(packages.Contains("OpenTelemetry.Exporter.Prometheus.AspNetCore") == scenario.MetricsEndpoint,
            $"{scenarioId} expects a /metrics endpoint: {scenario.MetricsEndpoint}; packages: {summary}");
        Assert.True(Directory.Exists(Path.Combine(solution.Directory, "deploy", "observability")) == scenario.ObservabilityDeploy,
            $"{scenarioId} expects deploy/observability: {scenario.ObservabilityDeploy}");
        Assert.True(packages.Contains("Microsoft.AspNetCore.Identity.EntityFrameworkCore") == scenario.UsesAuth,
            $"{scenarioId} expects auth {scenario.Expect.Auth}; packages: {summary}");
        Assert.True(packages.Contains("Microsoft.Playwright") == scenario.UsesPasskeys,
            $"{scenarioId} expects the passkey browser test: {scenario.UsesPasskeys}; packages: {summary}");
        var apiDirectory = Path.Combine(solution.Directory, "src", scenario.CodeName + ".Api");
        Assert.True(Directory.Exists(Path.Combine(apiDirectory, "wwwroot", "account")) == scenario.UsesPasskeys,
            $"{scenarioId} expects the passkey page: {scenario.UsesPasskeys}");
        Assert.True(File.Exists(Path.Combine(apiDirectory, "Products", "ProductEndpoints.cs")) == scenario.Rest,
            $"{scenarioId} expects REST endpoints: {scenario.Rest}");
    }

    [Theory]
    [MemberData(nameof(ScenarioIds))]
    public async Task Generated_files_are_what_the_module_declarations_give(string scenarioId)
    {
        var scenario = Scenarios.Get(scenarioId);
        var solution = await fixture.GenerateAsync(scenario);

        var expected = ModuleTable.Load().ExpectedFiles(scenario);
        // The tree as generated, recorded before any tier built in it (bin/, obj/ and build outputs come later).
        var actual = TreeSnapshot.Parse(solution.Tree).Keys.ToHashSet(StringComparer.Ordinal);

        var missing = expected.Except(actual).Order(StringComparer.Ordinal).ToList();
        var unexpected = actual.Except(expected).Order(StringComparer.Ordinal).ToList();
        Assert.True(missing.Count == 0 && unexpected.Count == 0,
            $"{scenarioId} (modules: {string.Join(", ", ModuleTable.Load().ModulesIn(scenario))})\n" +
            $"declared by a module but not generated:\n  {string.Join("\n  ", missing)}\n" +
            $"generated but declared by no included module (or excluded by its modifiers):\n  {string.Join("\n  ", unexpected)}");
    }

    [Theory]
    [MemberData(nameof(ScenarioIds))]
    public async Task Every_pinned_package_is_used_and_every_used_package_is_pinned(string scenarioId)
    {
        // Central Package Management pins versions in props files that the modules contribute; a pin no project uses is a
        // version that nothing keeps current, and a reference without a pin does not restore.
        var solution = await fixture.GenerateAsync(Scenarios.Get(scenarioId));
        var pinned = Packages(solution.Files("*.props"), "Version");
        var used = Packages(solution.Files("*.*proj").Concat(solution.Files("*.props")).Concat(solution.Files("*.targets")), "Reference");

        Assert.Empty(pinned.Except(used, StringComparer.OrdinalIgnoreCase).Order());
        Assert.Empty(used.Except(pinned, StringComparer.OrdinalIgnoreCase).Order());
    }

    /// <summary>The ids of the package items in <paramref name="files"/>: PackageReference and PackageVersion, or only the <paramref name="kind"/> given.</summary>
    private static HashSet<string> Packages(IEnumerable<string> files, string? kind = null) =>
        files.SelectMany(f => PackageItem().Matches(File.ReadAllText(f)))
            .Where(m => kind is null || m.Groups["kind"].Value == kind)
            .Select(m => m.Groups["id"].Value)
            .ToHashSet(StringComparer.OrdinalIgnoreCase);

    [GeneratedRegex("""<Package(?<kind>Reference|Version)\s+Include="(?<id>[^"]+)""")]
    private static partial Regex PackageItem();
}
