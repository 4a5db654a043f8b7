using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using TemplatePack.Tests.Infrastructure;
using TemplatePack.Tests.Templates;

[assembly: AssemblyFixture(typeof(TemplatePack.Tests.Fixture.TemplatePackFixture))]

namespace TemplatePack.Tests.Fixture;

/// <summary>
/// Shared by every test: packs TemplatePack.csproj once, installs the .nupkg (what users get) into a fresh
/// hive, and generates and builds each scenario at most once. Everything is lazy and cached as a Task, so the
/// tiers that only read template.json/README run even while the pack is broken, and the slow tiers reuse the
/// fast tiers' output instead of regenerating it.
/// </summary>
public sealed class TemplatePackFixture : IAsyncLifetime
{
    private readonly Lazy<Task<TemplateHive>> _hive;
    private readonly ConcurrentDictionary<string, Lazy<Task<TemplateOptions>>> _options = new();
    private readonly ConcurrentDictionary<string, Lazy<Task<GeneratedSolution>>> _generated = new();
    private readonly ConcurrentDictionary<string, Lazy<Task<ProcessResult>>> _builds = new();

    public TemplatePackFixture()
    {
        // /tmp, not the repository: a generated solution must not pick up the repo's Directory.*.props.
        WorkRoot = Path.Combine(Path.GetTempPath(), "fullstack-harness-" + Guid.NewGuid().ToString("N")[..8]);
        _hive = new(InstallAsync);
    }

    /// <summary>Scratch root for this run: the package, the hive, generated scenarios, databases files.</summary>
    public string WorkRoot { get; }

    public ValueTask InitializeAsync()
    {
        System.IO.Directory.CreateDirectory(WorkRoot);
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        // FULLSTACK_KEEP_OUTPUT=1 keeps generated solutions for a post-mortem of a failed run.
        if (Environment.GetEnvironmentVariable("FULLSTACK_KEEP_OUTPUT") == "1")
        {
            Console.WriteLine($"Kept harness output in {WorkRoot}");
        }
        else if (System.IO.Directory.Exists(WorkRoot))
        {
            System.IO.Directory.Delete(WorkRoot, recursive: true);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>The hive with the freshly packed template package installed (pack + install happen once).</summary>
    public Task<TemplateHive> HiveAsync() => _hive.Value;

    /// <summary>A fresh, unique directory under <see cref="WorkRoot"/>.</summary>
    public string NewScratchDirectory(string purpose)
    {
        var path = Path.Combine(WorkRoot, "scratch", $"{purpose}-{Guid.NewGuid():N}"[..(purpose.Length + 9)]);
        System.IO.Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>The scenario generated once; a non-zero exit or any stderr output throws.</summary>
    public Task<GeneratedSolution> GenerateAsync(Scenario scenario) =>
        _generated.GetOrAdd(scenario.Id, _ => new(() => GenerateCoreAsync(scenario))).Value;

    /// <summary>`dotnet build -c Release -warnaserror` of the generated solution, run once per scenario.</summary>
    public Task<ProcessResult> BuildAsync(Scenario scenario) =>
        _builds.GetOrAdd(scenario.Id, _ => new(() => BuildCoreAsync(scenario))).Value;

    /// <summary>For tiers that need binaries: the generated solution, or an exception carrying the build log.</summary>
    public async Task<GeneratedSolution> BuiltAsync(Scenario scenario)
    {
        var solution = await GenerateAsync(scenario);
        var build = await BuildAsync(scenario);
        if (build.ExitCode != 0)
        {
            // The build tier reports the full log; dependants only need the gist.
            throw new InvalidOperationException($"The generated solution for '{scenario.Id}' does not build (full log in the build tier):\n{build.Describe(maxChars: 2_000)}");
        }

        return solution;
    }

    /// <summary>
    /// The arguments of one instantiation, the same for every call: `-n`, `-o`, `--no-update-check`, the
    /// template options, then `--no-restore` / `--allow-scripts no` when the template accepts them
    /// (see <see cref="TemplateOptions"/>).
    /// </summary>
    public async Task<List<string>> InstantiationArgumentsAsync(string shortName, string name, string output, IEnumerable<string> templateArgs)
    {
        var options = await OptionsAsync(shortName);
        List<string> arguments = [shortName, "-n", name, "-o", output, "--no-update-check", .. templateArgs];
        if (options.NoRestore)
        {
            arguments.Add(TemplateOptions.RestoreSwitch);
        }

        if (options.AllowScripts)
        {
            arguments.AddRange(["--allow-scripts", "no"]);
        }

        return arguments;
    }

    private async Task<TemplateHive> InstallAsync()
    {
        var packageDirectory = Path.Combine(WorkRoot, "package");
        var pack = await ProcessRunner.RunAsync(
            ProcessSpec.Dotnet(["pack", RepoPaths.PackProject, "-c", "Release", "-o", packageDirectory, .. Dotnet.NoBuildServers]) with
            {
                WorkingDirectory = RepoPaths.Root,
                Timeout = Dotnet.PackTimeout,
            });
        if (pack.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet pack failed:\n{pack.Describe()}");
        }

        var package = System.IO.Directory.GetFiles(packageDirectory, "*.nupkg").SingleOrDefault()
            ?? throw new InvalidOperationException($"dotnet pack produced no single .nupkg in {packageDirectory}:\n{pack.Describe()}");

        var hive = new TemplateHive(Path.Combine(WorkRoot, "hive"));
        var install = await hive.RunAsync(["install", package]);

        // Exit 0 proves nothing: an invalid template is reported in the output and the install still "succeeds".
        var missing = TemplateCatalog.ShortNames.Union(Scenarios.ShortNames)
            .Where(t => !ListsTemplate(install.StandardOutput, t))
            .ToList();
        if (install.ExitCode != 0 || missing.Count > 0)
        {
            throw new InvalidOperationException(
                $"Installing {Path.GetFileName(package)} did not list [{string.Join(", ", missing)}]:\n{install.Describe()}");
        }

        return hive;
    }

    // A whole short name in the install table, so `fullstack-api` is not found inside `fullstack-api-grpc`.
    private static bool ListsTemplate(string output, string shortName) =>
        Regex.IsMatch(output, $@"(?<![\w-]){Regex.Escape(shortName)}(?![\w-])");

    private Task<TemplateOptions> OptionsAsync(string shortName) =>
        _options.GetOrAdd(shortName, _ => new(async () =>
        {
            var help = await (await HiveAsync()).HelpAsync(shortName);
            if (help.ExitCode != 0)
            {
                throw new InvalidOperationException($"dotnet new {shortName} --help failed:\n{help.Describe()}");
            }

            return TemplateOptions.FromHelp(help.StandardOutput);
        })).Value;

    private async Task<GeneratedSolution> GenerateCoreAsync(Scenario scenario)
    {
        var hive = await HiveAsync();
        var output = Path.Combine(WorkRoot, "generated", scenario.Id);
        var arguments = await InstantiationArgumentsAsync(scenario.ShortName, scenario.Name, output, scenario.Args);

        var result = await hive.RunAsync(arguments);
        if (result.ExitCode != 0 || result.StandardError.Trim().Length > 0)
        {
            throw new InvalidOperationException($"Generating scenario '{scenario.Id}' failed (non-zero exit or stderr output):\n{result.Describe()}");
        }

        return new GeneratedSolution(scenario, output, result, TreeSnapshot.Render(output));
    }

    private async Task<ProcessResult> BuildCoreAsync(Scenario scenario)
    {
        var solution = await GenerateAsync(scenario);
        return await Dotnet.RunHeavyAsync(
            ProcessSpec.Dotnet(["build", solution.SolutionFile, "-c", "Release", .. Dotnet.WarningsAsErrors, .. Dotnet.NoBuildServers]) with
            {
                WorkingDirectory = solution.Directory,
                Timeout = Dotnet.BuildTimeout,
            });
    }
}
