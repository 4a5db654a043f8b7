using System.CommandLine;

namespace Company.Starter.Api.Hosting;

/// <summary>
/// The commands the API's executable runs instead of the server (<c>dotnet Company.Starter.Api.dll migrate</c>): one
/// <see cref="RootCommand"/> that each module adds its commands to, in a file of its own (HostCommands.&lt;Module&gt;.cs)
/// implementing one of the partial methods below. Where the template leaves a module out, its method has no body and
/// the compiler removes the call: Program.cs names no command. <see cref="HostCommand.Parse"/> reads the arguments.
/// </summary>
public sealed partial class HostCommands
{
    private readonly HashSet<Command> _onApp = [];
    private IServiceProvider? _services;

    internal HostCommands()
    {
        AddDataCommands();
        AddSecurityCommands();
    }

    internal RootCommand Root { get; } = new("Company.Starter.Api: without a command, the API server; with one, the command, and the process exits.");

    /// <summary>The names the first argument may take.</summary>
    internal IEnumerable<string> Names => Root.Subcommands.Select(c => c.Name);

    /// <summary>
    /// Adds a command (with its subcommands) whose actions need neither the app's settings nor its database: they run
    /// before the app is built, so that a setting the app would refuse (a missing signing key in Production) does not
    /// stop them.
    /// </summary>
    public void Add(Command command) => Root.Add(command);

    /// <summary>
    /// Gives <paramref name="command"/> an action that runs on the built app's services: the app is configured as
    /// for serving (settings, database, every module's services) but never started, so no request is served and no
    /// start-up check runs.
    /// </summary>
    public void SetActionOnApp(Command command, Func<ParseResult, IServiceProvider, CancellationToken, Task<int>> action)
    {
        _onApp.Add(command);
        command.SetAction((parseResult, cancellationToken) => action(
            parseResult,
            _services ?? throw new InvalidOperationException($"'{command.Name}' runs on the app: HostCommand.RunAsync(app) runs it."),
            cancellationToken));
    }

    internal bool RunsOnApp(Command command) => _onApp.Contains(command);

    internal void UseServices(IServiceProvider services) => _services = services;

    /// <summary>The data module's commands (HostCommands.Data.cs): <c>migrate</c>.</summary>
    partial void AddDataCommands();

    /// <summary>The security module's commands (HostCommands.Security.cs): <c>keys generate</c>, <c>users ...</c>.</summary>
    partial void AddSecurityCommands();
}
