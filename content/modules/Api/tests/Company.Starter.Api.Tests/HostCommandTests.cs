using System.Diagnostics;
using Company.Starter.Testing;

namespace Company.Starter.Api.Tests;

/// <summary>
/// The host commands as a user runs them (<c>dotnet Company.Starter.Api.dll migrate</c>, a process of its own): what
/// matters is the exit code and what lands on the console, so they are not called in-process.
/// </summary>
public sealed class HostCommandTests(TestEnvironment environment)
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(2);

    private static CancellationToken CancellationToken => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Migrate_on_a_first_run_creates_the_database_and_exits_0()
    {
        // The README's first step without Docker: the server runs, the app's database does not exist yet.
        await using var settings = await environment.CreateAppSettingsAsync(createDatabase: false, CancellationToken);

        var first = await RunAsync(settings.Values, "migrate");
        var second = await RunAsync(settings.Values, "migrate");

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.True(first.StandardError.Length == 0, first.ToString());
        Assert.True(second.ExitCode == 0, second.ToString());
    }

    [Fact]
    public async Task Migrate_that_cannot_reach_the_database_prints_one_line_and_exits_1()
    {
        await using var settings = await environment.CreateAppSettingsAsync(CancellationToken);
        var unreachable = DatabaseServer.UnreachableConnectionString();
        var values = new Dictionary<string, string?>(settings.Values) { ["ConnectionStrings:appdb"] = unreachable };

        var run = await RunAsync(values, "migrate");

        Assert.True(run.ExitCode == 1, run.ToString());
        var line = Assert.Single(run.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.StartsWith("migrate failed: ", line, StringComparison.Ordinal);
        // No stack trace anywhere: not on stderr, not in the logs on stdout.
        Assert.DoesNotContain("   at ", run.StandardError + run.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Migrate_after_a_host_option_is_the_option_s_value_not_the_command()
    {
        // `--urls migrate` asks the server to listen on the URL 'migrate': only the first argument names a command, so
        // this starts the server, which fails (on that URL, or before it on the settings a production server needs)
        // rather than migrating and exiting 0.
        await using var settings = await environment.CreateAppSettingsAsync(createDatabase: false, CancellationToken);

        var run = await RunAsync(settings.Values, "--urls", "migrate");

        Assert.True(run.ExitCode != 0, run.ToString());
        Assert.DoesNotContain("migrate failed", run.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("schema is up to date", run.StandardOutput, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Api:RequestTimeout=00:00:00", null)]
    [InlineData("/Api:RequestTimeout", "00:00:00")]
    public async Task A_host_setting_in_any_command_line_form_reaches_the_server_and_names_no_command(string setting, string? value)
    {
        // key=value and /key value are .NET command-line settings like --key value: the server reads them (this one
        // fails validation, so the start stops with the setting's name), instead of refusing an unknown command.
        await using var settings = await environment.CreateAppSettingsAsync(CancellationToken);

        var run = await RunAsync(settings.Values, value is null ? [setting] : [setting, value]);

        AssertStartStoppedNaming(run, "RequestTimeout");
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    public async Task Help_as_the_first_argument_lists_the_commands_and_exits_0_without_starting_the_server(string help)
    {
        var run = await RunAsync(NoSettings, help);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("migrate", run.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("Usage:", run.StandardOutput, StringComparison.Ordinal);
        Assert.Empty(run.StandardError);
    }

    [Fact]
    public async Task An_unknown_command_prints_one_line_naming_the_commands_and_exits_2()
    {
        // No settings at all: a mistyped command is answered before anything reads one.
        var run = await RunAsync(NoSettings, "migrat");

        Assert.True(run.ExitCode == 2, run.ToString());
        var line = Assert.Single(Lines(run.StandardError));
        Assert.StartsWith("Unknown command 'migrat'. Commands: migrate", line, StringComparison.Ordinal);
        Assert.Empty(run.StandardOutput);
    }

    [Fact]
    public async Task An_unknown_option_of_a_command_prints_the_error_and_the_usage_and_exits_2()
    {
        var run = await RunAsync(NoSettings, "migrate", "--force");

        Assert.True(run.ExitCode == 2, run.ToString());
        var lines = Lines(run.StandardError);
        Assert.Contains("--force", lines[0], StringComparison.Ordinal);
        Assert.Contains(lines, l => l.StartsWith("Usage:", StringComparison.Ordinal));
        Assert.DoesNotContain("   at ", run.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Migrate_help_prints_the_usage_and_exits_0_without_touching_a_database()
    {
        var run = await RunAsync(NoSettings, "migrate", "--help");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("Applies pending migrations", run.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("migrate [options]", run.StandardOutput, StringComparison.Ordinal);
        Assert.Empty(run.StandardError);
    }

    [Fact]
    public async Task A_setting_that_fails_validation_stops_the_start_with_one_line_naming_it_and_exit_1()
    {
        await using var settings = await environment.CreateAppSettingsAsync(CancellationToken);
        var values = new Dictionary<string, string?>(settings.Values) { ["Api:RequestTimeout"] = "00:00:00" };

        var run = await RunAsync(values);

        AssertStartStoppedNaming(run, "RequestTimeout");
    }

    private static readonly Dictionary<string, string?> NoSettings = [];

    /// <summary>The server did not start: exit 1 and one line on stderr naming <paramref name="setting"/>.</summary>
    private static void AssertStartStoppedNaming(CommandRun run, string setting)
    {
        Assert.True(run.ExitCode == 1, run.ToString());
        var line = Assert.Single(Lines(run.StandardError));
        Assert.StartsWith("The app cannot start: ", line, StringComparison.Ordinal);
        Assert.Contains(setting, line, StringComparison.Ordinal);
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private sealed record CommandRun(int ExitCode, string StandardOutput, string StandardError)
    {
        public override string ToString() => $"exit {ExitCode}\nstderr:\n{StandardError}\nstdout:\n{StandardOutput}";
    }

    /// <summary>Runs the built app (next to the tests) with <paramref name="settings"/> as environment variables.</summary>
    private static async Task<CommandRun> RunAsync(IReadOnlyDictionary<string, string?> settings, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, $"{typeof(Program).Assembly.GetName().Name}.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync(CancellationToken);
        var error = process.StandardError.ReadToEndAsync(CancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(CancellationToken);
        timeout.CancelAfter(CommandTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return new CommandRun(process.ExitCode, await output, await error);
    }
}
