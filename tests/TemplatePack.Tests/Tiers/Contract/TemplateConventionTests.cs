using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using TemplatePack.Tests.Fixture;
using TemplatePack.Tests.Infrastructure;
using TemplatePack.Tests.Templates;

namespace TemplatePack.Tests.Tiers.Contract;

/// <summary>
/// The `dotnet new` conventions every template of the pack follows, checked on each template.json/host file and,
/// where only the engine can say, on the installed package: `--no-restore` (and not `--skip-restore`) with a
/// working restore condition, an SDK constraint that matches the generated global.json, a default name that
/// builds, a precedence, an IDE icon, translations of every parameter text, and the Aspire listing.
/// </summary>
[Trait("Tier", "contract")]
public sealed partial class TemplateConventionTests(TemplatePackFixture fixture)
{
    private const string RestoreAction = "Restore NuGet packages required by this solution.";
    private static readonly JsonDocumentOptions Lenient = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    public static TheoryData<string> TemplateShortNames => TemplateCatalog.Theory();

    [Theory]
    [MemberData(nameof(TemplateShortNames))]
    public async Task No_restore_skips_the_restore_and_skip_restore_is_refused(string shortName)
    {
        var hive = await fixture.HiveAsync();

        var help = await hive.HelpAsync(shortName);
        Assert.True(help.ExitCode == 0, help.Describe());
        Assert.Matches(@"(^|\s)--no-restore(\s|$)", help.StandardOutput);
        Assert.DoesNotMatch(@"(^|\s)--skip-restore(\s|$)", help.StandardOutput);

        // The post action's condition reads the switch: a dry run announces the restore without it, not with it.
        var restoring = await hive.RunAsync([shortName, "-n", "Restored", "-o", fixture.NewScratchDirectory("restore"), "--dry-run", "--no-update-check"]);
        var skipping = await hive.RunAsync([shortName, "-n", "Skipped", "-o", fixture.NewScratchDirectory("norestore"), "--dry-run", "--no-update-check", "--no-restore"]);
        Assert.True(restoring.ExitCode == 0 && skipping.ExitCode == 0, restoring.Describe() + "\n" + skipping.Describe());
        Assert.Contains(RestoreAction, restoring.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain(RestoreAction, skipping.StandardOutput, StringComparison.Ordinal);

        // The old name is refused by the engine (exit 127, its own message) and nothing is generated.
        var output = fixture.NewScratchDirectory("skiprestore");
        var refused = await hive.RunAsync([shortName, "-n", "Refused", "-o", output, "--no-update-check", "--skip-restore"]);
        Assert.True(refused.ExitCode == 127, $"Expected exit 127 for --skip-restore:\n{refused.Describe()}");
        Assert.Contains("'--skip-restore' is not a valid option", refused.CombinedOutput, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(output));
    }

    [Fact]
    public async Task Every_template_with_an_AppHost_is_listed_under_aspire()
    {
        var withAppHost = TemplateCatalog.ShortNames.Where(t => Sources(t).Any(s => s.TrimEnd('/').EndsWith("/AppHost", StringComparison.Ordinal))).ToList();
        Assert.NotEmpty(withAppHost);
        var hive = await fixture.HiveAsync();

        // `list <name>` matches names and short names (the AppHost module's tag is not enough there); `--tag` matches classifications.
        string[][] queries = [["list", "aspire"], ["list", "--tag", "Aspire"]];
        foreach (var query in queries)
        {
            var list = await hive.RunAsync(query);
            Assert.True(list.ExitCode == 0, list.Describe());
            var missing = withAppHost.Where(t => !ListedShortName(t).IsMatch(list.StandardOutput)).ToList();
            Assert.True(missing.Count == 0, $"`dotnet new {string.Join(' ', query)}` does not list [{string.Join(", ", missing)}]:\n{list.StandardOutput}");
        }
    }

    [Theory]
    [MemberData(nameof(TemplateShortNames))]
    public void Localize_files_translate_every_parameter_text(string shortName)
    {
        var folder = Path.Combine(RepoPaths.TemplateConfig(shortName), "localize");
        var english = Strings(Path.Combine(folder, "templatestrings.en.json"));
        var others = Directory.Exists(folder)
            ? Directory.GetFiles(folder, "templatestrings.*.json").Where(f => !f.EndsWith(".en.json", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList()
            : [];
        Assert.True(others.Count > 0, $"{shortName}: no localize/templatestrings.<lang>.json besides English");

        var template = Template(shortName);
        var expected = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["name"] = Text(template, "name"),
            ["description"] = Text(template, "description"),
        };
        foreach (var (symbol, node) in template["symbols"]!.AsObject().Where(s => Text(s.Value, "type") == "parameter"))
        {
            expected[$"symbols/{symbol}/description"] = Text(node, "description");
            if (Text(node, "displayName") is { Length: > 0 } displayName)
            {
                expected[$"symbols/{symbol}/displayName"] = displayName;
            }

            foreach (var choice in node!["choices"]?.AsArray().OfType<JsonObject>() ?? [])
            {
                expected[$"symbols/{symbol}/choices/{Text(choice, "choice")}/description"] = Text(choice, "description");
            }
        }

        var problems = new List<string>();
        foreach (var (key, text) in expected)
        {
            if (english.GetValueOrDefault(key) != text)
            {
                problems.Add($"en: '{key}' is '{english.GetValueOrDefault(key)}', template.json says '{text}'");
            }

            foreach (var file in others)
            {
                var translated = Strings(file).GetValueOrDefault(key);
                if (string.IsNullOrWhiteSpace(translated))
                {
                    problems.Add($"{Path.GetFileName(file)}: no '{key}'");
                }
            }
        }

        foreach (var file in others)
        {
            // A translation file that repeats the English description is a copy, not a translation.
            if (Strings(file).GetValueOrDefault("description") == expected["description"])
            {
                problems.Add($"{Path.GetFileName(file)}: the description is the English text");
            }
        }

        Assert.True(problems.Count == 0, $"{shortName}:\n  " + string.Join("\n  ", problems));
    }

    [Theory]
    [MemberData(nameof(TemplateShortNames))]
    public void Template_declares_name_precedence_constraint_icon_and_hidden_restore(string shortName)
    {
        var template = Template(shortName);
        var problems = new List<string>();

        var defaultName = Text(template, "defaultName");
        if (!CSharpNamespace().IsMatch(defaultName))
        {
            problems.Add($"defaultName '{defaultName}' is not a plain C# namespace (an IDE would propose a name that needs escaping)");
        }

        if (template["precedence"] is not JsonValue precedence || !int.TryParse(precedence.ToString(), out var value) || value <= 0)
        {
            problems.Add("no positive precedence");
        }

        // The SDK range must start where the generated global.json starts and end before the next minor version
        // (rollForward latestFeature stays within 10.0.x).
        var sdk = template["constraints"]?.AsObject().Select(c => c.Value).FirstOrDefault(c => Text(c, "type") == "sdk-version");
        var globalJson = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "content", "solution", "global.json")), null, Lenient)!;
        var sdkVersion = Version.Parse(Text(globalJson["sdk"], "version"));
        var expectedRange = $"[{sdkVersion},{sdkVersion.Major}.{sdkVersion.Minor + 1}.0)";
        if (sdk is null || Text(sdk, "args") != expectedRange)
        {
            problems.Add($"constraints: expected an sdk-version constraint with args '{expectedRange}' (from content/solution/global.json), found '{(sdk is null ? "none" : Text(sdk, "args"))}'");
        }

        var cli = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.TemplateConfig(shortName), "dotnetcli.host.json")), null, Lenient)!;
        if (Text(cli["symbolInfo"]?["skipRestore"], "longName") != "no-restore")
        {
            problems.Add("dotnetcli.host.json: skipRestore's longName is not no-restore");
        }

        var ide = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.TemplateConfig(shortName), "ide.host.json")), null, Lenient)!;
        var icon = Text(ide, "icon");
        if (icon.Length == 0 || !File.Exists(Path.Combine(RepoPaths.TemplateConfig(shortName), icon)))
        {
            problems.Add($"ide.host.json: icon '{icon}' is missing or not in .template.config");
        }

        if (ide["order"] is null)
        {
            problems.Add("ide.host.json: no order");
        }

        var entries = ide["symbolInfo"]?.AsArray().OfType<JsonObject>().ToList() ?? [];
        var parameters = template["symbols"]!.AsObject().Where(s => Text(s.Value, "type") == "parameter").Select(s => s.Key).ToList();
        if (!entries.Select(e => Text(e, "id")).SequenceEqual(parameters))
        {
            problems.Add($"ide.host.json symbolInfo [{string.Join(", ", entries.Select(e => Text(e, "id")))}] is not every parameter in template.json's order [{string.Join(", ", parameters)}]");
        }

        Assert.True(problems.Count == 0, $"{shortName}:\n  " + string.Join("\n  ", problems));
    }

    private static JsonObject Template(string shortName) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.TemplateConfig(shortName), "template.json")), null, Lenient)!.AsObject();

    private static IEnumerable<string> Sources(string shortName) =>
        Template(shortName)["sources"]?.AsArray().Select(s => Text(s, "source")) ?? [];

    private static Dictionary<string, string> Strings(string path)
    {
        Assert.True(File.Exists(path), $"Missing {Path.GetRelativePath(RepoPaths.Root, path)}");
        return JsonNode.Parse(File.ReadAllText(path), null, Lenient)!.AsObject()
            .ToDictionary(p => p.Key, p => p.Value?.GetValue<string>() ?? "", StringComparer.Ordinal);
    }

    private static string Text(JsonNode? node, string property) =>
        node is JsonObject o && o[property] is JsonValue v && v.TryGetValue<string>(out var s) ? s : "";

    // A whole short name in the list table, so `fullstack-api` is not found inside `fullstack-api-grpc`.
    private static Regex ListedShortName(string shortName) => new($@"(?<![\w-]){Regex.Escape(shortName)}(?![\w-])");

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")]
    private static partial Regex CSharpNamespace();
}
