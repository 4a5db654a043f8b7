// Produces every template's .template.config files (template.json, dotnetcli.host.json, ide.host.json,
// localize/templatestrings.*.json, icon.png) from the declarations, so the five templates cannot drift apart:
//
//   content/solution/.template.config/module.json        what every template shares (names, restore, post action)
//   content/modules/<Module>/.template.config/module.json what a module contributes (options, flags, sources)
//   templates/<name>/.template.config/template.def.json  what a template owns (identity, texts, modules, defaults)
//
//   dotnet run --file eng/template-config.cs              write the generated files
//   dotnet run --file eng/template-config.cs -- --check   exit 1 and name each file that differs (CI, contract tier)
//   dotnet run --file eng/template-config.cs -- --out DIR write into DIR instead of the repository (to compare)
//
// The harness compiles this same file (TEMPLATE_PACK_TESTS hides the entry point), so the contract tier checks
// the committed files with exactly this logic. The declarations' format is described in CONTRIBUTING.md.
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

#if !TEMPLATE_PACK_TESTS
return FullStack.Templates.Engineering.TemplateConfigTool.Run(args);
#endif

namespace FullStack.Templates.Engineering
{
    /// <summary>One file the generator produces, relative to the repository root ('/' separators).</summary>
    public sealed record GeneratedFile(string RelativePath, byte[] Content);

    /// <summary>A declaration that cannot produce a valid template (unknown module, missing translation, ...).</summary>
    public sealed class TemplateDeclarationException(string message) : Exception(message);

    /// <summary>The command line: write, check or write elsewhere.</summary>
    public static class TemplateConfigTool
    {
        public static int Run(string[] args)
        {
            var check = args.Contains("--check");
            var outIndex = Array.IndexOf(args, "--out");
            var root = TemplateConfigGenerator.FindRoot(Directory.GetCurrentDirectory());
            try
            {
                var files = TemplateConfigGenerator.Generate(root);
                if (check)
                {
                    var drift = TemplateConfigGenerator.Drift(root, files);
                    foreach (var problem in drift)
                    {
                        Console.Error.WriteLine(problem);
                    }

                    Console.WriteLine(drift.Count == 0
                        ? $"template config: {files.Count} generated files are up to date"
                        : $"template config: {drift.Count} file(s) differ from the declarations; run `dotnet run --file eng/template-config.cs` and commit the result");
                    return drift.Count == 0 ? 0 : 1;
                }

                var target = outIndex >= 0 && outIndex + 1 < args.Length ? Path.GetFullPath(args[outIndex + 1]) : root;
                if (target == root)
                {
                    foreach (var stale in TemplateConfigGenerator.StaleFiles(root, files))
                    {
                        File.Delete(Path.Combine(root, stale));
                        Console.WriteLine($"deleted {stale}");
                    }
                }

                foreach (var file in files)
                {
                    var path = Path.Combine(target, file.RelativePath);
                    Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                    if (!File.Exists(path) || !File.ReadAllBytes(path).AsSpan().SequenceEqual(file.Content))
                    {
                        File.WriteAllBytes(path, file.Content);
                        Console.WriteLine($"wrote {file.RelativePath}");
                    }
                }

                Console.WriteLine($"template config: {files.Count} files generated into {target}");
                return 0;
            }
            catch (TemplateDeclarationException e)
            {
                Console.Error.WriteLine($"template config: {e.Message}");
                return 2;
            }
        }
    }

    /// <summary>Turns the module and template declarations into each template's .template.config files.</summary>
    public static class TemplateConfigGenerator
    {
        public const string ModuleFileName = "module.json";
        public const string TemplateFileName = "template.def.json";

        private static readonly JsonDocumentOptions ReadOptions = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };
        private static readonly JsonNodeOptions NodeOptions = new() { PropertyNameCaseInsensitive = false };
        private static readonly JsonSerializerOptions WriteOptions = new()
        {
            WriteIndented = true,
            // Keep '<!--#if', quotes in expressions and non-ASCII translations readable: these files are read by people.
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };

        // The order of template.json's top-level properties: a property not listed here is a mistake, not a new key.
        private static readonly string[] TemplateKeys =
        [
            "$schema", "author", "classifications", "identity", "groupIdentity", "precedence", "name", "description",
            "shortName", "defaultName", "tags", "preferNameDirectory", "constraints", "forms", "symbols", "sources",
            "SpecialCustomOperations", "primaryOutputs", "postActions",
        ];

        private static readonly string[] CliHostKeys = ["$schema", "symbolInfo", "usageExamples"];
        private static readonly string[] IdeHostKeys = ["$schema", "order", "icon", "unsupportedHosts", "symbolInfo"];

        // Keys of an option declaration that steer the generator and are not template.json symbol properties.
        private static readonly string[] GeneratorOptionKeys = ["defaultWhen", "cli", "ide"];

        /// <summary>The folder holding TemplatePack.csproj, walking up from <paramref name="start"/>.</summary>
        public static string FindRoot(string start)
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "TemplatePack.csproj")))
                {
                    return dir.FullName;
                }
            }

            throw new TemplateDeclarationException($"no TemplatePack.csproj above {start}");
        }

        /// <summary>Every generated file, in a stable order.</summary>
        public static IReadOnlyList<GeneratedFile> Generate(string root)
        {
            var modules = LoadModules(root);
            var icon = Path.Combine(root, "icon.png");
            var files = new List<GeneratedFile>();
            foreach (var directory in TemplateDirectories(root))
            {
                var template = new TemplateBuild(directory, ReadObject(Path.Combine(directory, ".template.config", TemplateFileName)), modules);
                var config = $"templates/{Path.GetFileName(directory)}/.template.config/";
                files.Add(Json(config + "template.json", template.TemplateJson()));
                files.Add(Json(config + "dotnetcli.host.json", template.CliHost()));
                files.Add(Json(config + "ide.host.json", template.IdeHost()));
                foreach (var (language, strings) in template.Localizations())
                {
                    files.Add(Json($"{config}localize/templatestrings.{language}.json", strings));
                }

                if (template.IconFileName is { } iconName)
                {
                    // The IDE reads the icon from the template's own folder; it is the package icon, copied.
                    files.Add(new GeneratedFile(config + iconName, File.ReadAllBytes(icon)));
                }
            }

            return files;
        }

        /// <summary>
        /// What differs between the committed files and <paramref name="files"/>: changed, missing, and generated-looking
        /// files the declarations no longer produce. Empty when the repository is up to date.
        /// </summary>
        public static IReadOnlyList<string> Drift(string root, IReadOnlyList<GeneratedFile> files)
        {
            var problems = new List<string>();
            foreach (var file in files)
            {
                var path = Path.Combine(root, file.RelativePath);
                if (!File.Exists(path))
                {
                    problems.Add($"{file.RelativePath}: missing (the declarations produce it)");
                    continue;
                }

                var committed = File.ReadAllBytes(path);
                if (!committed.AsSpan().SequenceEqual(file.Content))
                {
                    problems.Add($"{file.RelativePath}: differs from what the declarations produce{FirstDifference(committed, file.Content)}");
                }
            }

            problems.AddRange(StaleFiles(root, files).Select(f => $"{f}: not produced by the declarations (a hand-written or stale file)"));
            return problems;
        }

        /// <summary>Files in the generated folders that the declarations do not produce.</summary>
        public static IReadOnlyList<string> StaleFiles(string root, IReadOnlyList<GeneratedFile> files)
        {
            var produced = files.Select(f => f.RelativePath).ToHashSet(StringComparer.Ordinal);
            return TemplateDirectories(root)
                .Select(d => Path.Combine(d, ".template.config"))
                .SelectMany(d => Directory.EnumerateFiles(d, "*", SearchOption.AllDirectories))
                .Select(f => Path.GetRelativePath(root, f).Replace('\\', '/'))
                .Where(f => !f.EndsWith("/" + TemplateFileName, StringComparison.Ordinal) && !produced.Contains(f))
                .Order(StringComparer.Ordinal)
                .ToList();
        }

        private static string FirstDifference(byte[] committed, byte[] expected)
        {
            var found = Encoding.UTF8.GetString(committed).Split('\n');
            var wanted = Encoding.UTF8.GetString(expected).Split('\n');
            for (var i = 0; i < Math.Max(found.Length, wanted.Length); i++)
            {
                var a = i < found.Length ? found[i] : "<end of file>";
                var b = i < wanted.Length ? wanted[i] : "<end of file>";
                if (a != b)
                {
                    return $" (line {i + 1}: committed `{a.Trim()}`, declarations give `{b.Trim()}`)";
                }
            }

            return "";
        }

        private static IEnumerable<string> TemplateDirectories(string root) =>
            Directory.GetDirectories(Path.Combine(root, "templates"))
                .Where(d => File.Exists(Path.Combine(d, ".template.config", TemplateFileName)))
                .Order(StringComparer.Ordinal);

        private static Dictionary<string, Module> LoadModules(string root)
        {
            var modules = new Dictionary<string, Module>(StringComparer.Ordinal)
            {
                [Module.BaseName] = new(Module.BaseName, "../../content/solution/", ReadObject(Path.Combine(root, "content", "solution", ".template.config", ModuleFileName))),
            };
            foreach (var directory in Directory.GetDirectories(Path.Combine(root, "content", "modules")).Order(StringComparer.Ordinal))
            {
                var file = Path.Combine(directory, ".template.config", ModuleFileName);
                if (!File.Exists(file))
                {
                    throw new TemplateDeclarationException($"{Path.GetRelativePath(root, directory)} has no .template.config/{ModuleFileName}: declare what the module contributes");
                }

                var name = Path.GetFileName(directory);
                modules[name] = new(name, $"../../content/modules/{name}/", ReadObject(file));
            }

            return modules;
        }

        private static JsonObject ReadObject(string path)
        {
            if (!File.Exists(path))
            {
                throw new TemplateDeclarationException($"missing {path}");
            }

            try
            {
                return JsonNode.Parse(File.ReadAllText(path), NodeOptions, ReadOptions) as JsonObject
                    ?? throw new TemplateDeclarationException($"{path}: not a JSON object");
            }
            catch (JsonException e)
            {
                throw new TemplateDeclarationException($"{path}: {e.Message}");
            }
        }

        private static GeneratedFile Json(string path, JsonNode node) =>
            new(path, Encoding.UTF8.GetBytes(node.ToJsonString(WriteOptions).Replace("\r\n", "\n", StringComparison.Ordinal) + "\n"));

        internal static JsonObject Ordered(JsonObject source, string[] order, string what)
        {
            var unknown = source.Select(p => p.Key).Where(k => !order.Contains(k, StringComparer.Ordinal)).ToList();
            if (unknown.Count > 0)
            {
                throw new TemplateDeclarationException($"{what}: unknown properties [{string.Join(", ", unknown)}] (the generator places only [{string.Join(", ", order)}])");
            }

            var result = new JsonObject();
            foreach (var key in order)
            {
                if (source.TryGetPropertyValue(key, out var value))
                {
                    result[key] = value?.DeepClone();
                }
            }

            return result;
        }

        internal static string Text(JsonNode? node, string property) =>
            node is JsonObject o && o.TryGetPropertyValue(property, out var v) && v is JsonValue value && value.TryGetValue<string>(out var s) ? s : "";

        internal static JsonObject Object(JsonNode? node, string property) =>
            node is JsonObject o && o.TryGetPropertyValue(property, out var v) && v is JsonObject child ? child : new JsonObject();

        internal static JsonArray ArrayOf(JsonNode? node, string property) =>
            node is JsonObject o && o.TryGetPropertyValue(property, out var v) && v is JsonArray child ? child : new JsonArray();

        /// <summary>One declared module: a content folder and what it contributes.</summary>
        private sealed record Module(string Name, string Source, JsonObject Declaration)
        {
            /// <summary>content/solution: every template starts with it; it is never listed in a template's modules.</summary>
            public const string BaseName = "solution";

            public JsonObject Options => Object(Declaration, "options");

            public JsonObject Flags => Object(Declaration, "flags");

            public JsonObject Symbols => Object(Declaration, "symbols");

            public JsonObject Strings(string language) => Object(Object(Declaration, "localize"), language);
        }

        /// <summary>A choice or bool parameter as one template offers it: the module's declaration with the template's overrides.</summary>
        private sealed record Option(string Name, Module Owner, JsonObject Declaration, JsonObject Overrides)
        {
            public bool Overridden(string property) => Overrides.ContainsKey(property);
        }

        /// <summary>One template being produced.</summary>
        private sealed class TemplateBuild
        {
            private readonly string _shortName;
            private readonly JsonObject _definition;
            private readonly Dictionary<string, Module> _modules;
            private readonly List<Module> _included;
            private readonly List<Option> _options;
            private readonly JsonObject? _preset;
            private readonly string _presetSymbol;

            public TemplateBuild(string directory, JsonObject definition, Dictionary<string, Module> modules)
            {
                _shortName = Path.GetFileName(directory);
                _definition = definition;
                _modules = modules;
                if (Text(definition, "shortName") != _shortName)
                {
                    throw new TemplateDeclarationException($"templates/{_shortName}/.template.config/{TemplateFileName}: shortName must be the folder name '{_shortName}'");
                }

                _included = [modules[Module.BaseName]];
                foreach (var name in ArrayOf(definition, "modules").Select(n => n?.GetValue<string>() ?? ""))
                {
                    _included.Add(modules.TryGetValue(name, out var module) && name != Module.BaseName
                        ? module
                        : throw new TemplateDeclarationException($"{_shortName}: unknown module '{name}' (modules are the folders of content/modules)"));
                }

                _preset = definition["preset"] as JsonObject;
                _presetSymbol = _preset is null ? "" : Text(_preset, "symbol");
                _options = [];
                var offered = Object(definition, "options").Select(p => (p.Key, Overrides: p.Value as JsonObject ?? new JsonObject()))
                    .Concat(modules[Module.BaseName].Options.Select(p => (p.Key, Overrides: new JsonObject())));
                foreach (var (name, overrides) in offered)
                {
                    var owners = modules.Values.Where(m => m.Options.ContainsKey(name)).ToList();
                    if (owners.Count != 1)
                    {
                        throw new TemplateDeclarationException($"{_shortName}: option '{name}' is declared by {owners.Count} modules; it must be declared by exactly one");
                    }

                    if (!_included.Contains(owners[0]))
                    {
                        throw new TemplateDeclarationException($"{_shortName}: option '{name}' belongs to module {owners[0].Name}, which the template does not include");
                    }

                    var declaration = (JsonObject)owners[0].Options[name]!.DeepClone();
                    foreach (var (key, value) in overrides)
                    {
                        declaration[key] = value?.DeepClone();
                    }

                    _options.Add(new Option(name, owners[0], declaration, overrides));
                }
            }

            /// <summary>Modules whose flags every template defines: the included ones first, then the others.</summary>
            private IEnumerable<Module> AllModulesInOrder => _included.Concat(_modules.Values.Where(m => !_included.Contains(m)));

            public string? IconFileName => Text(Object(Object(_modules[Module.BaseName].Declaration, "hosts"), "ide"), "icon") is { Length: > 0 } icon ? icon : null;

            private bool Presets(string option) => _preset is not null && PresetChoices.Any(c => Object(c, "values").ContainsKey(option));

            private IEnumerable<JsonObject> PresetChoices => ArrayOf(_preset, "choices").OfType<JsonObject>();

            private Option? Find(string name) => _options.FirstOrDefault(o => o.Name == name);

            /// <summary>The variable conditions read for an option: the coalesced value when a preset or a rule decides its default.</summary>
            private string Variable(Option option) =>
                Presets(option.Name) || ArrayOf(option.Declaration, "defaultWhen").Count > 0 ? option.Name + "Resolved" : option.Name;

            /// <summary>Replaces each {option} with the variable the template holds it in; null when the template does not offer one.</summary>
            private string? Substitute(string expression)
            {
                var missing = false;
                var result = OptionReference().Replace(expression, m =>
                {
                    var option = Find(m.Groups[1].Value);
                    if (option is null)
                    {
                        if (!_modules.Values.Any(x => x.Options.ContainsKey(m.Groups[1].Value)))
                        {
                            throw new TemplateDeclarationException($"'{expression}' refers to {{{m.Groups[1].Value}}}, which no module declares as an option");
                        }

                        // The module is here but this template does not offer the option: the content gets the option's
                        // default, as a literal (fullstack-security serves REST: UseRest is ("rest" == "rest")).
                        var owner = _modules.Values.First(x => x.Options.ContainsKey(m.Groups[1].Value));
                        if (_included.Contains(owner) && owner.Options[m.Groups[1].Value] is JsonObject declared
                            && Text(declared, "defaultValue") is { } fallback)
                        {
                            return $"\"{fallback}\"";
                        }

                        missing = true;
                        return m.Value;
                    }

                    return Variable(option);
                });
                return missing ? null : result;
            }

            public JsonObject TemplateJson()
            {
                var top = new JsonObject();
                foreach (var (key, value) in Object(_modules[Module.BaseName].Declaration, "template"))
                {
                    top[key] = value?.DeepClone();
                }

                string[] generatorKeys = ["modules", "options", "preset", "cli", "ide", "localize", "classifications"];
                foreach (var (key, value) in _definition.Where(p => !generatorKeys.Contains(p.Key)))
                {
                    top[key] = value?.DeepClone();
                }

                // The template's own classifications, then what its modules add (AppHost: Aspire), each once.
                var classifications = ArrayOf(_definition, "classifications").Concat(_included.SelectMany(m => ArrayOf(m.Declaration, "classifications")))
                    .Select(n => n?.GetValue<string>() ?? "")
                    .Distinct(StringComparer.Ordinal)
                    .Select(c => (JsonNode?)JsonValue.Create(c));
                top["classifications"] = new JsonArray([.. classifications]);
                top["symbols"] = Symbols();
                top["sources"] = Sources();
                return Ordered(top, TemplateKeys, $"templates/{_shortName} template.json");
            }

            private JsonObject Symbols()
            {
                var symbols = new JsonObject();
                void Add(string name, JsonNode node)
                {
                    if (!symbols.TryAdd(name, node))
                    {
                        throw new TemplateDeclarationException($"{_shortName}: symbol '{name}' is declared twice");
                    }
                }

                foreach (var (name, symbol) in _modules[Module.BaseName].Symbols)
                {
                    Add(name, symbol!.DeepClone());
                }

                if (_preset is not null)
                {
                    var preset = Parameter(_preset, withDefault: true, skip: ["symbol", .. GeneratorOptionKeys]);
                    preset["choices"] = new JsonArray([.. PresetChoices.Select(c => (JsonNode?)Parameter(c, withDefault: false, skip: ["values"], type: null))]);
                    Add(_presetSymbol, preset);
                }

                foreach (var option in _options)
                {
                    var rules = ArrayOf(option.Declaration, "defaultWhen").OfType<JsonObject>().ToList();
                    var presets = Presets(option.Name);
                    Add(option.Name, Parameter(option.Declaration, withDefault: !presets && rules.Count == 0, skip: GeneratorOptionKeys));
                    if (!presets && rules.Count == 0)
                    {
                        continue;
                    }

                    // A default that depends on other choices or on the preset: a switch gives it, a coalesce lets the
                    // user's own value win (the pattern in template-engine.md, "Presets that users can override").
                    var cases = new JsonArray();
                    foreach (var rule in rules)
                    {
                        var condition = Substitute(Text(rule, "condition"))
                            ?? throw new TemplateDeclarationException($"{_shortName}: the default of '{option.Name}' depends on an option the template does not offer ('{Text(rule, "condition")}')");
                        cases.Add(Case(condition, Text(rule, "value")));
                    }

                    var fallback = Text(option.Declaration, "defaultValue");
                    foreach (var choice in PresetChoices)
                    {
                        if (Object(choice, "values")[option.Name] is JsonValue value)
                        {
                            cases.Add(Case($"({_presetSymbol} == \"{Text(choice, "choice")}\")", value.GetValue<string>()));
                            if (Text(choice, "choice") == Text(_preset, "defaultValue"))
                            {
                                fallback = value.GetValue<string>();
                            }
                        }
                    }

                    cases.Add(Case("", fallback));
                    var helper = rules.Count > 0 ? option.Name + "Default" : _presetSymbol + char.ToUpperInvariant(option.Name[0]) + option.Name[1..];
                    Add(helper, new JsonObject
                    {
                        ["type"] = "generated",
                        ["generator"] = "switch",
                        ["datatype"] = "string",
                        ["parameters"] = new JsonObject { ["evaluator"] = "C++", ["datatype"] = "string", ["cases"] = cases },
                    });
                    Add(option.Name + "Resolved", new JsonObject
                    {
                        ["type"] = "generated",
                        ["generator"] = "coalesce",
                        ["parameters"] = new JsonObject { ["sourceVariableName"] = option.Name, ["fallbackVariableName"] = helper },
                    });
                }

                foreach (var module in _included.Skip(1))
                {
                    foreach (var (name, symbol) in module.Symbols)
                    {
                        Add(name, symbol!.DeepClone());
                    }
                }

                // Every template defines every module's flags, because content of one module reads another's
                // (the API's Program.cs reads UseAuth). A flag whose module is absent, or whose option the template
                // does not offer, is false.
                foreach (var module in AllModulesInOrder)
                {
                    foreach (var (name, expression) in module.Flags)
                    {
                        var value = _included.Contains(module) ? Substitute(expression!.GetValue<string>()) : null;
                        Add(name, new JsonObject { ["type"] = "computed", ["value"] = value ?? "(false)" });
                    }
                }

                return symbols;
            }

            private static JsonNode Case(string condition, string value) => new JsonObject { ["condition"] = condition, ["value"] = value };

            /// <summary>A parameter symbol: type first, the declared properties in their order, the default last.</summary>
            private static JsonObject Parameter(JsonObject declaration, bool withDefault, string[] skip, string? type = "parameter")
            {
                var result = new JsonObject();
                if (type is not null)
                {
                    result["type"] = type;
                }

                foreach (var (key, value) in declaration)
                {
                    if (key is "defaultValue" || skip.Contains(key))
                    {
                        continue;
                    }

                    result[key] = key == "choices" && value is JsonArray choices
                        ? new JsonArray([.. choices.OfType<JsonObject>().Select(c => (JsonNode?)Parameter(c, withDefault: false, skip: [], type: null))])
                        : value?.DeepClone();
                }

                if (withDefault && declaration.TryGetPropertyValue("defaultValue", out var defaultValue))
                {
                    result["defaultValue"] = defaultValue?.DeepClone();
                }

                return result;
            }

            private JsonArray Sources()
            {
                var sources = new JsonArray();
                foreach (var module in _included)
                {
                    var source = new JsonObject { ["source"] = module.Source, ["target"] = "./" };
                    if (Text(module.Declaration, "condition") is { Length: > 0 } condition)
                    {
                        source["condition"] = condition;
                    }

                    if (ArrayOf(module.Declaration, "modifiers").Count > 0)
                    {
                        source["modifiers"] = ArrayOf(module.Declaration, "modifiers").DeepClone();
                    }

                    sources.Add((JsonNode)source);
                }

                return sources;
            }

            /// <summary>The parameters a user can set, in the order hosts show them: the preset, the options, the base's.</summary>
            private IEnumerable<(string Name, JsonObject Declaration)> Parameters =>
                (_preset is null ? [] : new[] { (_presetSymbol, _preset) }).Concat(_options.Select(o => (o.Name, o.Declaration)));

            public JsonObject CliHost()
            {
                var host = new JsonObject();
                foreach (var (key, value) in Object(Object(_modules[Module.BaseName].Declaration, "hosts"), "dotnetcli"))
                {
                    host[key] = value?.DeepClone();
                }

                foreach (var (key, value) in Object(_definition, "cli"))
                {
                    host[key] = value?.DeepClone();
                }

                var info = new JsonObject();
                foreach (var (name, declaration) in Parameters)
                {
                    var cli = Object(declaration, "cli");
                    info[name] = new JsonObject
                    {
                        ["longName"] = Text(cli, "longName") is { Length: > 0 } longName ? longName : name,
                        ["shortName"] = Text(cli, "shortName"),
                    };
                }

                host["symbolInfo"] = info;
                return Ordered(host, CliHostKeys, $"templates/{_shortName} dotnetcli.host.json");
            }

            public JsonObject IdeHost()
            {
                var host = new JsonObject();
                foreach (var (key, value) in Object(Object(_modules[Module.BaseName].Declaration, "hosts"), "ide"))
                {
                    host[key] = value?.DeepClone();
                }

                foreach (var (key, value) in Object(_definition, "ide"))
                {
                    host[key] = value?.DeepClone();
                }

                var info = new JsonArray();
                foreach (var (name, declaration) in Parameters)
                {
                    var entry = new JsonObject { ["id"] = name, ["isVisible"] = true };
                    foreach (var (key, value) in Object(declaration, "ide"))
                    {
                        entry[key] = value?.DeepClone();
                    }

                    info.Add((JsonNode)entry);
                }

                host["symbolInfo"] = info;
                return Ordered(host, IdeHostKeys, $"templates/{_shortName} ide.host.json");
            }

            /// <summary>English from the declarations, and each translation (a missing one is an error, not a silent English fallback).</summary>
            public IEnumerable<(string Language, JsonObject Strings)> Localizations()
            {
                var english = EnglishStrings();
                if (english.Count == 0)
                {
                    yield break;
                }

                var en = new JsonObject();
                foreach (var (key, (text, _)) in english)
                {
                    en[key] = text;
                }

                yield return ("en", en);
                // The languages are those the base declares translations for (content/solution's "localize").
                foreach (var language in Object(_modules[Module.BaseName].Declaration, "localize").Select(p => p.Key))
                {
                    var translated = new JsonObject();
                    var missing = new List<string>();
                    var own = Object(Object(_definition, "localize"), language);
                    foreach (var (key, (_, owner)) in english)
                    {
                        // The template's own translation wins; a module's counts only for the module's own English text.
                        var text = Text(own, key) is { Length: > 0 } mine ? mine : owner is null ? "" : Text(owner.Strings(language), key);
                        if (text.Length == 0)
                        {
                            missing.Add(key);
                        }

                        translated[key] = text;
                    }

                    if (missing.Count > 0)
                    {
                        throw new TemplateDeclarationException(
                            $"{_shortName}: no '{language}' translation for [{string.Join(", ", missing)}]: add it under \"localize\": {{ \"{language}\": ... }} of the module.json that declares the text, or of the template's {TemplateFileName} when the template overrides it");
                    }

                    yield return (language, translated);
                }
            }

            /// <summary>Each localizable string, with the module whose declaration it came from (null: the template's own).</summary>
            private List<KeyValuePair<string, (string Text, Module? Owner)>> EnglishStrings()
            {
                var strings = new List<KeyValuePair<string, (string, Module?)>>();
                void Add(string key, string text, Module? owner)
                {
                    if (text.Length > 0)
                    {
                        strings.Add(new(key, (text, owner)));
                    }
                }

                Add("name", Text(_definition, "name"), null);
                Add("description", Text(_definition, "description"), null);
                foreach (var (name, declaration) in Parameters)
                {
                    var option = Find(name);
                    Module? Owner(string property) => option is null || option.Overridden(property) ? null : option.Owner;
                    Add($"symbols/{name}/displayName", Text(declaration, "displayName"), Owner("displayName"));
                    Add($"symbols/{name}/description", Text(declaration, "description"), Owner("description"));
                    foreach (var choice in ArrayOf(declaration, "choices").OfType<JsonObject>())
                    {
                        Add($"symbols/{name}/choices/{Text(choice, "choice")}/description", Text(choice, "description"), Owner("choices"));
                    }
                }

                var baseModule = _modules[Module.BaseName];
                foreach (var action in ArrayOf(Object(baseModule.Declaration, "template"), "postActions").OfType<JsonObject>())
                {
                    var id = Text(action, "id");
                    Add($"postActions/{id}/description", Text(action, "description"), baseModule);
                    foreach (var instruction in ArrayOf(action, "manualInstructions").OfType<JsonObject>())
                    {
                        Add($"postActions/{id}/manualInstructions/{(Text(instruction, "id") is { Length: > 0 } i ? i : "default")}/text", Text(instruction, "text"), baseModule);
                    }
                }

                return strings;
            }

            private static Regex OptionReference() => OptionPattern;

            private static readonly Regex OptionPattern = new(@"\{(\w+)\}", RegexOptions.CultureInvariant);
        }
    }
}
