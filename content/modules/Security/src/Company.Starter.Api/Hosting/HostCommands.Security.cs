using System.CommandLine;
using Company.Starter.Api.Security;

namespace Company.Starter.Api.Hosting;

public sealed partial class HostCommands
{
    /// <summary>
    /// The security module's commands (what they do is in <see cref="SecurityCommands"/>): <c>keys generate</c> runs
    /// without the app, since making the signing key is what a production app without one is told to do;
    /// <c>users grant-admin</c> and <c>users confirm-email</c> change an account in the app's database.
    /// </summary>
    partial void AddSecurityCommands()
    {
        var output = new Option<string>("--output")
        {
            Description = "The file to write the key to (readable by its owner only); without it, the key goes to stdout, for a secret store.",
            HelpName = "file",
        };
        var generate = new Command("generate", "Makes a new ES256 (P-256) signing key as PEM; never overwrites a file.") { output };
        generate.SetAction(parseResult => SecurityCommands.GenerateKey(
            parseResult.GetValue(output), parseResult.InvocationConfiguration.Output, parseResult.InvocationConfiguration.Error));
        Add(new Command("keys", "The access tokens' signing key: `keys generate --output signing-key.pem` makes one.") { generate });

        Add(new Command("users", "Changes an existing account in the app's database.")
        {
            UserCommand("grant-admin", "Adds the user to the admin role; their next access token carries it.", SecurityCommands.GrantAdminAsync),
            UserCommand("confirm-email", "Confirms the user's email, for an app that sends none: the account can then sign in with its password.", SecurityCommands.ConfirmEmailAsync),
        });
    }

    private Command UserCommand(string name, string description, Func<IServiceProvider, string, TextWriter, TextWriter, Task<int>> change)
    {
        var email = new Argument<string>("email") { Description = "The account's email address." };
        var command = new Command(name, description) { email };
        SetActionOnApp(command, (parseResult, services, _) => change(
            services, parseResult.GetRequiredValue(email), parseResult.InvocationConfiguration.Output, parseResult.InvocationConfiguration.Error));
        return command;
    }
}
