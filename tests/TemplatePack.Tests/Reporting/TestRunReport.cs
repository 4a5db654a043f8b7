using System.Globalization;
using System.Reflection;
using System.Text;
using System.Xml.Linq;

namespace TemplatePack.Tests.Reporting;

/// <summary>
/// Reads the xunit v3 XML of a harness run and decides whether the run proves what it claims: counts per tier (with
/// each tier's wall time), and the rules eng/test.sh enforces on top of "no test failed":
/// - every declared tier ran (in a run without filters); under CI every tier executed at least one test, so a renamed
///   trait or a filter typo cannot make a tier vanish while the build stays green;
/// - every test carries a tier; an outcome other than Pass/Fail/Skip/NotRun, or a runner error, fails;
/// - under CI a skip or a not-run test fails unless <see cref="SkipPolicy"/> allows it (printed with its reason).
/// </summary>
public sealed class TestRunReport
{
    public const string TierTrait = "Tier";
    private const string Untiered = "(no tier)";

    private TestRunReport(IReadOnlyList<TierCounts> tiers, IReadOnlyList<string> violations, IReadOnlyList<string> allowedSkips)
    {
        Tiers = tiers;
        Violations = violations;
        AllowedSkips = allowedSkips;
    }

    public IReadOnlyList<TierCounts> Tiers { get; }

    /// <summary>Why the run does not count as a pass; empty when it does.</summary>
    public IReadOnlyList<string> Violations { get; }

    /// <summary>Skips the policy allowed, each with its reason.</summary>
    public IReadOnlyList<string> AllowedSkips { get; }

    public int Passed => Tiers.Sum(t => t.Passed);

    public int Failed => Tiers.Sum(t => t.Failed);

    public int Skipped => Tiers.Sum(t => t.Skipped + t.NotRun);

    /// <summary>The tiers the harness declares: every `[Trait("Tier", x)]` on a test class or method of this assembly.</summary>
    public static IReadOnlySet<string> DeclaredTiers(Assembly assembly)
    {
        var tiers = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var type in assembly.GetTypes())
        {
            IEnumerable<MemberInfo> members = [type, .. type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)];
            foreach (var attribute in members.SelectMany(m => m.GetCustomAttributesData()))
            {
                if (attribute.AttributeType == typeof(TraitAttribute)
                    && attribute.ConstructorArguments is [{ Value: TierTrait }, { Value: string tier }])
                {
                    tiers.Add(tier);
                }
            }
        }

        return tiers;
    }

    /// <param name="xml">The runner's -result-xml output.</param>
    /// <param name="declaredTiers">Tiers that must appear (checked only when <paramref name="filtered"/> is false).</param>
    /// <param name="filtered">The run was narrowed by -trait/-class/-method/...: only "something ran" is required.</param>
    /// <param name="ci">Apply the CI rules (no unlisted skips, every tier executed tests).</param>
    public static TestRunReport From(XDocument xml, IReadOnlySet<string> declaredTiers, bool filtered, bool ci, IReadOnlyList<AllowedSkip>? allowed = null)
    {
        var tiers = new Dictionary<string, TierCounts>(StringComparer.Ordinal);
        var violations = new List<string>();
        var allowedSkips = new List<string>();

        foreach (var test in xml.Descendants("test"))
        {
            var name = (string?)test.Attribute("name") ?? "?";
            var tierName = test.Element("traits")?.Elements("trait")
                .FirstOrDefault(t => (string?)t.Attribute("name") == TierTrait)?.Attribute("value")?.Value ?? Untiered;
            if (!tiers.TryGetValue(tierName, out var tier))
            {
                tiers[tierName] = tier = new TierCounts(tierName);
            }

            tier.Observe(Timestamp(test, "start-rtf"), Timestamp(test, "finish-rtf"));
            var result = (string?)test.Attribute("result") ?? "";
            switch (result)
            {
                case "Pass":
                    tier.Passed++;
                    break;
                case "Fail":
                    tier.Failed++;
                    break;
                case "Skip" or "NotRun":
                    if (result == "Skip")
                    {
                        tier.Skipped++;
                    }
                    else
                    {
                        tier.NotRun++;
                    }

                    var reason = test.Element("reason")?.Value.Trim() ?? "";
                    var entry = SkipPolicy.Find(name, allowed);
                    if (entry is not null)
                    {
                        allowedSkips.Add($"{name}: {entry.Reason}");
                    }
                    else if (ci)
                    {
                        violations.Add($"{(result == "Skip" ? "skipped" : "not run")} under CI and not allowed by SkipPolicy: {name}{(reason.Length > 0 ? $" ({reason})" : "")}");
                    }

                    break;
                default:
                    tier.Other++;
                    violations.Add($"outcome '{result}' is neither pass, fail nor skip: {name}");
                    break;
            }

            if (tierName == Untiered)
            {
                violations.Add($"has no [Trait(\"{TierTrait}\", ...)], so no tier filter selects it: {name}");
            }
        }

        foreach (var error in xml.Descendants("error"))
        {
            var message = error.Descendants("message").FirstOrDefault()?.Value.Trim() ?? "(no message)";
            violations.Add($"runner error ({(string?)error.Attribute("type") ?? "?"} {(string?)error.Attribute("name")}): {FirstLine(message)}");
        }

        if (tiers.Count == 0)
        {
            violations.Add("no test ran at all");
        }

        if (!filtered)
        {
            foreach (var missing in declaredTiers.Where(t => !tiers.ContainsKey(t)))
            {
                violations.Add($"tier '{missing}' is declared but reported no test");
            }
        }

        if (ci)
        {
            foreach (var idle in tiers.Values.Where(t => t.Passed + t.Failed == 0))
            {
                violations.Add($"tier '{idle.Name}' executed no test under CI ({idle.Skipped} skipped, {idle.NotRun} not run)");
            }
        }

        return new TestRunReport([.. tiers.Values.OrderBy(t => t.Name, StringComparer.Ordinal)], violations, allowedSkips);
    }

    /// <summary>The summary eng/test.sh prints; its last line is the plain "N passed, N failed, N skipped".</summary>
    public string Render()
    {
        var text = new StringBuilder();
        foreach (var tier in Tiers)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"{tier.Name}: run {tier.Total}, passed {tier.Passed}, failed {tier.Failed}, skipped {tier.Skipped}, not run {tier.NotRun}, wall {tier.Wall:m\\mss\\s}");
        }

        foreach (var skip in AllowedSkips)
        {
            text.AppendLine("allowed skip: " + skip);
        }

        foreach (var violation in Violations)
        {
            text.AppendLine("NOT PROVEN: " + violation);
        }

        text.Append(CultureInfo.InvariantCulture, $"{Passed} passed, {Failed} failed, {Skipped} skipped");
        return text.ToString();
    }

    /// <summary>`summarize &lt;xml&gt; [--filtered]`: prints the summary; exit 0 only when nothing failed and no rule is broken.</summary>
    public static int Summarize(string[] args)
    {
        if (args.Length is < 1 or > 2 || (args.Length == 2 && args[1] != "--filtered"))
        {
            Console.Error.WriteLine("usage: TemplatePack.Tests summarize <result.xml> [--filtered]");
            return 2;
        }

        var report = From(XDocument.Load(args[0]), DeclaredTiers(typeof(TestRunReport).Assembly), filtered: args.Length == 2, ci: SkipPolicy.IsCi);
        Console.WriteLine(report.Render());
        return report.Failed == 0 && report.Violations.Count == 0 ? 0 : 1;
    }

    private static DateTimeOffset? Timestamp(XElement test, string attribute) =>
        DateTimeOffset.TryParse((string?)test.Attribute(attribute), CultureInfo.InvariantCulture, DateTimeStyles.None, out var value) ? value : null;

    private static string FirstLine(string text) => text.Split('\n')[0].Trim();
}

/// <summary>One tier's counts and the span from its first test's start to its last test's end.</summary>
public sealed class TierCounts(string name)
{
    private DateTimeOffset? _first;
    private DateTimeOffset? _last;

    public string Name { get; } = name;

    public int Passed { get; set; }

    public int Failed { get; set; }

    public int Skipped { get; set; }

    public int NotRun { get; set; }

    public int Other { get; set; }

    public int Total => Passed + Failed + Skipped + NotRun + Other;

    /// <summary>Tiers run side by side and share the fixture's builds, so spans overlap; each still shows where time goes.</summary>
    public TimeSpan Wall => _first is { } first && _last is { } last ? last - first : TimeSpan.Zero;

    public void Observe(DateTimeOffset? start, DateTimeOffset? finish)
    {
        if (start is { } s && (_first is null || s < _first))
        {
            _first = s;
        }

        if (finish is { } f && (_last is null || f > _last))
        {
            _last = f;
        }
    }
}
