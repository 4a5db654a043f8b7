using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Parsing;

namespace Company.Starter.Api.Hosting;

/// <summary>
/// What the process was asked to do: serve (no argument, or host settings such as <c>--urls</c> and
/// <c>--environment</c>), or run the host command its FIRST argument names (<see cref="HostCommands"/>). A command's
/// arguments are parsed strictly: a mistake is one line on stderr, the command's usage, and exit code 2.
/// </summary>
public sealed class HostCommand
{
    /// <summary>The exit code of a command line the commands do not accept (as sysexits' EX_USAGE and most shells' builtins).</summary>
    public const int UsageExitCode = 2;

    private readonly HostCommands? _commands;
    private readonly ParseResult? _parseResult;
    private readonly InvocationConfiguration _invocation;
    private readonly Func<int>? _refusal;

    private HostCommand(HostCommands? commands, ParseResult? parseResult, InvocationConfiguration invocation, Func<int>? refusal = null)
    {
        _commands = commands;
        _parseResult = parseResult;
        _invocation = invocation;
        _refusal = refusal;
    }

    /// <summary>
    /// True when the process serves, or runs a command on the app's services: build the app, then
    /// <see cref="RunAsync(WebApplication)"/>. False for a command that runs without the app, a command line that
    /// is refused and <c>--help</c>: <see cref="RunAsync(CancellationToken)"/>, before anything reads a setting.
    /// </summary>
    public bool NeedsApp => _refusal is null && (_parseResult is null || RunsOnApp(_parseResult));

    /// <summary>Reads <paramref name="args"/>; the commands write to <paramref name="output"/> and <paramref name="error"/> (the console by default).</summary>
    public static HostCommand Parse(string[] args, TextWriter? output = null, TextWriter? error = null)
    {
        var invocation = new InvocationConfiguration
        {
            Output = output ?? Console.Out,
            Error = error ?? Console.Error,
            // An exception a command does not handle stays unhandled, as the server's would be: a setting that fails
            // validation then ends the process with HostExitCode's one line, not with a stack trace printed here.
            EnableDefaultExceptionHandler = false,
        };

        // The first argument chooses: `--help` lists the commands; a host setting (or nothing) is the server's; anything
        // else is a command's name. A word later on is never a command: `--urls migrate` serves on the URL 'migrate'
        // rather than migrating.
        if (args is ["-h" or "--help" or "-?", ..])
        {
            var help = new HostCommands();
            return new HostCommand(help, help.Root.Parse(args), invocation);
        }

        // The server's start builds no command tree.
        if (args is [] || IsHostSetting(args[0]))
        {
            return new HostCommand(null, null, invocation);
        }

        var commands = new HostCommands();
        if (!commands.Names.Contains(args[0], StringComparer.Ordinal))
        {
            return new HostCommand(commands, null, invocation, () =>
            {
                invocation.Error.WriteLine($"Unknown command '{args[0]}'. Commands: {string.Join(", ", commands.Names)}");
                return UsageExitCode;
            });
        }

        var parseResult = commands.Root.Parse(args);
        if (parseResult.Errors is [var first, ..] && parseResult.Action is not HelpAction)
        {
            return new HostCommand(commands, parseResult, invocation, () =>
            {
                invocation.Error.WriteLine(first.Message);
                invocation.Error.WriteLine();
                WriteUsage(commands.Root, parseResult.CommandResult, invocation.Error);
                return UsageExitCode;
            });
        }

        return new HostCommand(commands, parseResult, invocation);
    }

    /// <summary>Runs what needs no app: a command that runs without it, <c>--help</c>, or the refusal of a command line.</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken = default)
    {
        if (NeedsApp)
        {
            throw new InvalidOperationException("This runs on the app: build it, then call RunAsync(app).");
        }

        return _refusal?.Invoke() ?? await _parseResult!.InvokeAsync(_invocation, cancellationToken);
    }

    /// <summary>Serves until the host stops (exit code 0), or runs the command on <paramref name="app"/>'s services and returns its exit code.</summary>
    public async Task<int> RunAsync(WebApplication app)
    {
        if (!NeedsApp)
        {
            return await RunAsync();
        }

        if (_parseResult is null)
        {
            await app.RunAsync();
            return 0;
        }

        _commands!.UseServices(app.Services);
        return await _parseResult.InvokeAsync(_invocation);
    }

    /// <summary>
    /// A setting for the server in one of the forms .NET's command-line configuration reads: <c>--key value</c>,
    /// <c>--key=value</c>, <c>/key value</c> or <c>key=value</c>. A command's name is none of these.
    /// </summary>
    private static bool IsHostSetting(string argument) =>
        argument.StartsWith('-') || argument.StartsWith('/') || argument.Contains('=', StringComparison.Ordinal);

    private bool RunsOnApp(ParseResult parseResult) =>
        parseResult.Action is not HelpAction && _commands!.RunsOnApp(parseResult.CommandResult.Command);

    /// <summary>The help of the command <paramref name="commandResult"/> stands for, as <c>&lt;command&gt; --help</c> writes it.</summary>
    private static void WriteUsage(RootCommand root, CommandResult commandResult, TextWriter writer)
    {
        var path = new List<string> { "--help" };
        for (SymbolResult? result = commandResult; result is CommandResult { Command: var command } && command != root; result = result.Parent)
        {
            path.Insert(0, command.Name);
        }

        root.Parse(path).Invoke(new InvocationConfiguration { Output = writer });
    }
}
