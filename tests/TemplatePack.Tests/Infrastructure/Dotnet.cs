namespace TemplatePack.Tests.Infrastructure;

/// <summary>Timeouts and flags shared by every `dotnet` call the harness makes.</summary>
public static class Dotnet
{
    public static readonly TimeSpan NewTimeout = TimeSpan.FromMinutes(2);
    public static readonly TimeSpan PackTimeout = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(10);
    public static readonly TimeSpan TestTimeout = TimeSpan.FromMinutes(10);

    /// <summary>
    /// No MSBuild node reuse and no compiler/razor servers: a lingering server would keep the output pipes open
    /// (so the harness could not tell the build ended) and would outlive the test run on CI.
    /// </summary>
    public static readonly string[] NoBuildServers = ["-nodeReuse:false", "--disable-build-servers"];

    /// <summary>
    /// Warnings are errors, as in a user's CI, except NU1603 ("dependency X >= a not found, b resolved"): it
    /// reports the package feed, not the template: this project's NuGet mirror lacks some exact minimum versions that
    /// nuget.org has. It is the harness's concern, so it lives in the harness's command line, never in the user's
    /// Directory.Build.props. NuGet itself reads TreatWarningsAsErrors/WarningsNotAsErrors, so the property is set as
    /// well as MSBuild's switch.
    /// </summary>
    public static readonly string[] WarningsAsErrors = ["-warnaserror", "-warnnotaserror:NU1603", "-p:WarningsNotAsErrors=NU1603"];

    /// <summary>
    /// Only one build or test of a generated solution at a time: the machines have 2 cores, and two MSBuild
    /// runs side by side are slower than one after the other and risk timeouts.
    /// </summary>
    public static readonly SemaphoreSlim HeavyWork = new(1, 1);

    public static async Task<ProcessResult> RunHeavyAsync(ProcessSpec spec)
    {
        await HeavyWork.WaitAsync();
        try
        {
            return await ProcessRunner.RunAsync(spec);
        }
        finally
        {
            HeavyWork.Release();
        }
    }
}
