using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using TemplatePack.Tests.Infrastructure;

namespace TemplatePack.Tests.Templates;

/// <summary>
/// The modules' own declarations, read the way the harness needs them: which modules each template is made of
/// (<c>templates/*/.template.config/template.def.json</c>), and what each module contributes under which condition
/// (<c>content/modules/*/.template.config/module.json</c>: its flags, its condition, its modifiers). From these and a
/// scenario's expected choices it derives the files the generated solution must hold, so a scenario never restates which
/// folders or packages a module brings, and a module that leaks a file into a scenario that turned it off fails the
/// contract tier.
/// </summary>
public sealed partial class ModuleTable
{
    public const string BaseModule = "solution";

    private static readonly Lazy<ModuleTable> Instance = new(() => new ModuleTable(RepoPaths.Root));

    private static readonly JsonDocumentOptions Jsonc = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    // What the template engine leaves out of every source unless told otherwise.
    private static readonly Regex[] EngineExcludes =
        [Glob("**/[Bb]in/**"), Glob("**/[Oo]bj/**"), Glob(".template.config/**/*"), Glob("**/*.filelist"), Glob("**/*.user"), Glob("**/*.lock.json")];

    private readonly FrozenDictionary<string, ModuleDeclaration> _modules;
    private readonly FrozenDictionary<string, IReadOnlyList<string>> _templateModules;

    private ModuleTable(string root)
    {
        var modules = Directory.GetDirectories(Path.Combine(root, "content", "modules"))
            .Select(d => ModuleDeclaration.Read(Path.GetFileName(d), d))
            .Append(ModuleDeclaration.Read(BaseModule, Path.Combine(root, "content", "solution")));
        _modules = modules.ToFrozenDictionary(m => m.Name);

        _templateModules = Directory.GetDirectories(Path.Combine(root, "templates"))
            .Where(d => File.Exists(Path.Combine(d, ".template.config", "template.def.json")))
            .ToFrozenDictionary(
                d => ShortNameOf(Path.Combine(d, ".template.config", "template.def.json")),
                d => (IReadOnlyList<string>)[.. ReadJsonc(Path.Combine(d, ".template.config", "template.def.json"))["modules"]!.AsArray()
                    .Select(m => m!.GetValue<string>())]);
    }

    public static ModuleTable Load() => Instance.Value;

    public IReadOnlyCollection<string> Modules => _modules.Keys;

    /// <summary>The modules a template is made of (before any module's own condition).</summary>
    public IReadOnlyList<string> ModulesOf(string shortName) =>
        _templateModules.TryGetValue(shortName, out var modules) ? modules : throw new ArgumentException($"No template.def.json for {shortName}.", nameof(shortName));

    public bool Includes(string shortName, string module) => ModulesOf(shortName).Contains(module);

    /// <summary>The modules whose content a scenario's solution holds: the template's, where each module's condition holds.</summary>
    public IReadOnlyList<string> ModulesIn(Scenario scenario) => ModulesIn(scenario, Flags(scenario));

    /// <summary>
    /// Every file the generated solution must hold, as relative paths with '/' separators, with the template's source
    /// name replaced by the scenario's code name: the base content and each included module's files, minus what the
    /// engine leaves out and what the module's modifiers exclude under the scenario's choices.
    /// </summary>
    public IReadOnlySet<string> ExpectedFiles(Scenario scenario)
    {
        var flags = Flags(scenario);
        var files = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in ModulesIn(scenario, flags).Prepend(BaseModule))
        {
            var module = _modules[name];
            var applied = module.Modifiers.Where(m => Condition.Evaluate(m.Condition, flags)).ToList();
            var excluded = applied.SelectMany(m => m.Exclude).Select(Glob).ToList();
            var renamed = applied.SelectMany(m => m.Rename).ToDictionary(StringComparer.Ordinal);
            foreach (var file in Directory.EnumerateFiles(module.Directory, "*", SearchOption.AllDirectories))
            {
                var relative = Path.GetRelativePath(module.Directory, file).Replace('\\', '/');
                if (EngineExcludes.Any(g => g.IsMatch(relative)) || excluded.Any(g => g.IsMatch(relative)))
                {
                    continue;
                }

                relative = renamed.GetValueOrDefault(relative, relative);
                files.Add(relative.Replace("Company.Starter", scenario.CodeName, StringComparison.Ordinal));
            }
        }

        return files;
    }

    /// <summary>The value of every flag any module declares, under the scenario's expected choices (false where the module is absent).</summary>
    public IReadOnlyDictionary<string, bool> Flags(Scenario scenario)
    {
        var included = ModulesOf(scenario.ShortName).Append(BaseModule).ToHashSet();
        var options = scenario.Expect.ByOption;
        var flags = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (var module in _modules.Values)
        {
            foreach (var (flag, expression) in module.Flags)
            {
                flags[flag] = included.Contains(module.Name) && Condition.Evaluate(expression, flags, options);
            }
        }

        return flags;
    }

    private IReadOnlyList<string> ModulesIn(Scenario scenario, IReadOnlyDictionary<string, bool> flags) =>
        [.. ModulesOf(scenario.ShortName).Where(m => _modules[m].Condition is not { } condition || Condition.Evaluate(condition, flags))];

    private static string ShortNameOf(string definition) => ReadJsonc(definition)["shortName"]!.GetValue<string>();

    private static JsonNode ReadJsonc(string path) =>
        JsonNode.Parse(File.ReadAllText(path), documentOptions: Jsonc) ?? throw new InvalidDataException($"{path} is empty.");

    /// <summary>A template glob (`**` any folders, `*` within a folder) as an anchored regular expression.</summary>
    private static Regex Glob(string pattern)
    {
        var regex = Regex.Escape(pattern)
            .Replace(@"\*\*/", "(.*/)?")
            .Replace(@"/\*\*", "(/.*)?")
            .Replace(@"\*\*", ".*")
            .Replace(@"\*", "[^/]*")
            .Replace(@"\[", "[").Replace(@"\]", "]");
        return new Regex("^" + regex + "$", RegexOptions.CultureInvariant);
    }

    private sealed record Modifier(string Condition, IReadOnlyList<string> Exclude, IReadOnlyList<KeyValuePair<string, string>> Rename);

    private sealed record ModuleDeclaration(
        string Name, string Directory, string? Condition, IReadOnlyList<KeyValuePair<string, string>> Flags, IReadOnlyList<Modifier> Modifiers)
    {
        public static ModuleDeclaration Read(string name, string directory)
        {
            var declaration = ReadJsonc(Path.Combine(directory, ".template.config", "module.json"));
            var flags = declaration["flags"]?.AsObject().Select(f => KeyValuePair.Create(f.Key, f.Value!.GetValue<string>())).ToList() ?? [];
            var modifiers = declaration["modifiers"]?.AsArray().Select(m => new Modifier(
                m!["condition"]!.GetValue<string>(),
                m["exclude"]?.AsArray().Select(e => e!.GetValue<string>()).ToList() ?? [],
                m["rename"]?.AsObject().Select(r => KeyValuePair.Create(r.Key, r.Value!.GetValue<string>())).ToList() ?? [])).ToList() ?? [];
            if (declaration["modifiers"]?.AsArray().Any(m => m!.AsObject().Any(p => p.Key is not ("condition" or "exclude" or "rename"))) == true)
            {
                throw new NotSupportedException($"{name}: the harness reads 'exclude' and 'rename' modifiers; teach ModuleTable the new kind.");
            }

            return new ModuleDeclaration(name, directory, declaration["condition"]?.GetValue<string>(), flags, modifiers);
        }
    }
}
