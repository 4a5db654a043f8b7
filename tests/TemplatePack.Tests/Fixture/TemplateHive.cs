using TemplatePack.Tests.Infrastructure;

namespace TemplatePack.Tests.Fixture;

/// <summary>
/// An isolated template hive (`--debug:custom-hive`) holding the packed .nupkg, and the one way to call
/// `dotnet new` against it: argument list, closed stdin, timeout, deterministic mode.
/// </summary>
public sealed class TemplateHive(string directory)
{
    public string Directory { get; } = directory;

    /// <summary>Runs `dotnet new &lt;arguments&gt; --debug:custom-hive &lt;hive&gt;`.</summary>
    public Task<ProcessResult> RunAsync(IEnumerable<string> arguments, string? workingDirectory = null) =>
        ProcessRunner.RunAsync(ProcessSpec.Dotnet(["new", .. arguments, "--debug:custom-hive", Directory]) with
        {
            WorkingDirectory = workingDirectory ?? System.IO.Directory.GetParent(Directory)!.FullName,
            Timeout = Dotnet.NewTimeout,
            // Fixed guids, ports and dates, so two generations are byte-identical and snapshots are stable.
            Environment = new Dictionary<string, string?> { ["TEMPLATE_ENGINE_ENABLE_DETERMINISTIC_MODE"] = "true" },
        });

    /// <summary>`dotnet new &lt;shortName&gt; --help`: the CLI's own account of the template's options.</summary>
    public Task<ProcessResult> HelpAsync(string shortName) => RunAsync([shortName, "--help"]);
}
