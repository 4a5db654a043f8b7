using TemplatePack.Tests.Fixture;
using TemplatePack.Tests.Infrastructure;
using TemplatePack.Tests.Reporting;

namespace TemplatePack.Tests.Tiers;

/// <summary>
/// The tests a user gets with the generated solution pass, against the real services when they are given:
/// with the service variables set nothing may be skipped, so "passed" means "ran against PostgreSQL/Redis".
/// </summary>
[Trait("Tier", "generated-tests")]
public sealed class GeneratedTestsTests(TemplatePackFixture fixture, ITestOutputHelper output)
{
    public static TheoryData<string> ScenarioIds => Scenarios.Ids();

    [Theory]
    [MemberData(nameof(ScenarioIds))]
    public async Task Generated_tests_pass(string scenarioId)
    {
        var scenario = Scenarios.Get(scenarioId);
        var solution = await fixture.BuiltAsync(scenario);
        var results = fixture.NewScratchDirectory($"trx-{scenarioId}");
        var projects = solution.Files("*.Tests.csproj").Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(projects);

        var runs = new List<ProcessResult>();
        foreach (var project in projects)
        {
            runs.Add(await Dotnet.RunHeavyAsync(
                GeneratedTestCommand.Create(solution, project, Path.Combine(results, Path.GetFileNameWithoutExtension(project))) with
                {
                    WorkingDirectory = solution.Directory,
                    Timeout = Dotnet.TestTimeout,
                    Environment = new Dictionary<string, string?>
                    {
                        // The generated tests read the solution's own variable names; the harness's services go there.
                        [$"{scenario.EnvironmentPrefix}_TEST_POSTGRES"] = TestServices.Postgres,
                        [$"{scenario.EnvironmentPrefix}_TEST_REDIS"] = TestServices.Redis,
                        [$"{scenario.EnvironmentPrefix}_TEST_RABBITMQ"] = TestServices.RabbitMq,
                        [$"{scenario.EnvironmentPrefix}_TEST_NATS"] = TestServices.Nats,
                    },
                }));
        }

        var summary = TrxSummary.Read(results);
        output.WriteLine($"{scenarioId}: {summary}");
        foreach (var line in summary.NotPassed)
        {
            output.WriteLine("  " + line);
        }

        // The failing tests first (names and messages from the TRX), then the end of the console output.
        foreach (var test in runs)
        {
            Assert.True(test.ExitCode == 0, $"dotnet test failed ({summary}):\n  {string.Join("\n  ", summary.NotPassed.Take(20))}\n{test.Describe(maxChars: 3_000)}");
        }

        Assert.True(summary.Files.Count == projects.Count, $"Expected one TRX per test project ({projects.Count}), found {summary.Files.Count} in {results}.");
        Assert.True(summary.Total > 0, $"No test results found in {results}.");
        Assert.Equal(0, summary.Failed);

        // A generated test that skipped is never a pass: under CI (and whenever the services are given) it fails unless
        // SkipPolicy allows it; without the services it makes this tier skip, naming what to set.
        var allowed = summary.SkippedNames.Select(name => (Name: name, Entry: SkipPolicy.Find(name))).Where(s => s.Entry is not null).ToList();
        foreach (var (name, entry) in allowed)
        {
            output.WriteLine($"  allowed skip: {name}: {entry!.Reason}");
        }

        var unexplained = summary.NotPassed.Where(line => line.StartsWith("skipped: ", StringComparison.Ordinal)
            && !allowed.Any(a => line.StartsWith($"skipped: {a.Name}: ", StringComparison.Ordinal))).ToList();
        var servicesGiven = TestServices.Postgres is not null && (!scenario.UsesRedis || TestServices.Redis is not null)
            && TestServices.BrokerOf(scenario) is not { Value: null };
        Assert.False(unexplained.Count > 0 && (servicesGiven || SkipPolicy.IsCi),
            $"{unexplained.Count} generated tests skipped ({(servicesGiven ? "the service variables were set" : "CI must provide every service")}):\n  {string.Join("\n  ", unexplained.Take(20))}");
        Assert.SkipWhen(unexplained.Count > 0,
            $"{unexplained.Count} of {summary.Total} generated tests skipped: set {TestServices.PostgresVariable}/{TestServices.RedisVariable}{(TestServices.BrokerOf(scenario) is { } broker ? "/" + broker.Variable : "")} (`source <(eng/services.sh --env)`).");
    }
}
