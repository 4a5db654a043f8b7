using System.Xml.Linq;
using TemplatePack.Tests.Reporting;

namespace TemplatePack.Tests.Tiers.Contract;

/// <summary>
/// The rules eng/test.sh applies to a run's result file, on fixed input: a vanished tier, an idle tier, an unlisted
/// skip under CI, an unknown outcome or a runner error each make the run fail, so CI cannot go green on what did not run.
/// </summary>
[Trait("Tier", "contract")]
public sealed class TestRunReportTests
{
    private static readonly SortedSet<string> Declared = new(StringComparer.Ordinal) { "build", "contract" };

    [Fact]
    public void A_full_run_with_every_tier_passing_is_proven_and_ends_with_the_plain_counts_line()
    {
        var report = TestRunReport.From(Results(("contract", "Pass"), ("contract", "Pass"), ("build", "Pass")), Declared, filtered: false, ci: true);

        Assert.Empty(report.Violations);
        var lines = report.Render().Split('\n');
        Assert.Equal("3 passed, 0 failed, 0 skipped", lines[^1]);
        Assert.Contains(lines, l => l.StartsWith("build: run 1, passed 1, failed 0, skipped 0, not run 0, wall 0m02s", StringComparison.Ordinal));
    }

    [Fact]
    public void A_declared_tier_that_reports_no_test_fails_the_run()
    {
        var report = TestRunReport.From(Results(("contract", "Pass")), Declared, filtered: false, ci: false);

        Assert.Contains(report.Violations, v => v.Contains("tier 'build' is declared but reported no test", StringComparison.Ordinal));
    }

    [Fact]
    public void A_filtered_run_needs_only_some_test_to_run()
    {
        Assert.Empty(TestRunReport.From(Results(("contract", "Pass")), Declared, filtered: true, ci: true).Violations);
        Assert.Contains("no test ran at all", TestRunReport.From(Results(), Declared, filtered: true, ci: false).Violations);
    }

    [Fact]
    public void Under_ci_a_skip_fails_unless_allowed_and_an_allowed_one_is_printed_with_its_reason()
    {
        var xml = Results(("contract", "Pass"), ("build", "Pass"), ("build", "Skip"));
        var allowed = new[] { new AllowedSkip("T.build.2", "needs a Temporal test server, downloaded at run time") };

        var local = TestRunReport.From(xml, Declared, filtered: false, ci: false);
        var ci = TestRunReport.From(xml, Declared, filtered: false, ci: true);
        var ciAllowed = TestRunReport.From(xml, Declared, filtered: false, ci: true, allowed);

        Assert.Empty(local.Violations);
        Assert.Equal(1, local.Skipped);
        Assert.Contains(ci.Violations, v => v.StartsWith("skipped under CI and not allowed by SkipPolicy: T.build.2 (why)", StringComparison.Ordinal));
        Assert.Empty(ciAllowed.Violations);
        Assert.Contains("allowed skip: T.build.2: needs a Temporal test server", ciAllowed.Render(), StringComparison.Ordinal);
    }

    [Fact]
    public void Under_ci_a_tier_whose_tests_all_skipped_executed_nothing()
    {
        var allowed = new[] { new AllowedSkip("T.build.*", "allowed") };
        var report = TestRunReport.From(Results(("contract", "Pass"), ("build", "Skip")), Declared, filtered: false, ci: true, allowed);

        Assert.Contains(report.Violations, v => v.StartsWith("tier 'build' executed no test under CI", StringComparison.Ordinal));
    }

    [Fact]
    public void Not_run_tests_are_counted_apart_from_skips_and_unknown_outcomes_fail()
    {
        var report = TestRunReport.From(Results(("contract", "Pass"), ("build", "NotRun"), ("build", "Pass"), ("build", "Exploded")), Declared, filtered: false, ci: false);

        var build = Assert.Single(report.Tiers, t => t.Name == "build");
        Assert.Equal((1, 0, 1, 1), (build.Passed, build.Skipped, build.NotRun, build.Other));
        Assert.Contains(report.Violations, v => v.StartsWith("outcome 'Exploded'", StringComparison.Ordinal));
    }

    [Fact]
    public void A_test_without_a_tier_and_a_runner_error_fail_the_run()
    {
        var xml = Results(("contract", "Pass"), ("build", "Pass"), (null, "Pass"));
        xml.Root!.Add(new XElement("errors", new XElement("error", new XAttribute("type", "assembly-cleanup"), new XAttribute("name", "Fixture"),
            new XElement("failure", new XElement("message", "disposing failed\nstack")))));

        var report = TestRunReport.From(xml, Declared, filtered: false, ci: false);

        Assert.Contains(report.Violations, v => v.StartsWith("has no [Trait(\"Tier\"", StringComparison.Ordinal));
        Assert.Contains(report.Violations, v => v == "runner error (assembly-cleanup Fixture): disposing failed");
    }

    [Fact]
    public void The_declared_tiers_are_read_from_the_tests_themselves()
    {
        var tiers = TestRunReport.DeclaredTiers(typeof(TestRunReport).Assembly);

        Assert.Superset(new SortedSet<string> { "build", "contract", "generated-tests", "run", "snapshot" }, (ISet<string>)tiers);
    }

    /// <summary>A result file shaped like xunit v3's: one `test` element per result, two seconds apart per tier.</summary>
    private static XDocument Results(params (string? Tier, string Result)[] tests)
    {
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var collection = new XElement("collection");
        var perTier = new Dictionary<string, int>();
        foreach (var (tier, result) in tests)
        {
            var key = tier ?? "none";
            perTier[key] = perTier.GetValueOrDefault(key) + 1;
            var index = perTier[key];
            var test = new XElement("test",
                new XAttribute("name", $"T.{key}.{index}"),
                new XAttribute("result", result),
                new XAttribute("start-rtf", start.AddSeconds(index * 2 - 2).ToString("O")),
                new XAttribute("finish-rtf", start.AddSeconds(index * 2).ToString("O")));
            if (tier is not null)
            {
                test.Add(new XElement("traits", new XElement("trait", new XAttribute("name", "Tier"), new XAttribute("value", tier))));
            }

            if (result == "Skip")
            {
                test.Add(new XElement("reason", "why"));
            }

            collection.Add(test);
        }

        return new XDocument(new XElement("assemblies", new XElement("assembly", collection)));
    }
}
