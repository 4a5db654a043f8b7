using System.CommandLine;
using Company.Starter.Data;

namespace Company.Starter.Api.Hosting;

public sealed partial class HostCommands
{
    /// <summary>
    /// <c>migrate</c>: applies pending migrations (creating the database on a first run) and exits, an explicit
    /// deployment step (see <see cref="DatabaseMigrator"/>). A failure is one line on stderr and exit code 1.
    /// </summary>
    partial void AddDataCommands()
    {
        var migrate = new Command("migrate", "Applies pending migrations, creating the database on a first run, then exits.");
        SetActionOnApp(migrate, (parseResult, services, cancellationToken) =>
            services.RunMigrateCommandAsync(parseResult.InvocationConfiguration.Error, cancellationToken));
        Add(migrate);
    }
}
