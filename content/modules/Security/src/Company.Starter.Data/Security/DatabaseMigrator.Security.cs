using Company.Starter.Data.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Company.Starter.Data;

// The security module's part of the migrate step, in a file of its own: a solution without user accounts (--auth none)
// leaves it out, and the call to AddModuleContexts then compiles to nothing.
public static partial class DatabaseMigrator
{
    /// <summary>The security tables migrate with the app's, after them, from their own migration history.</summary>
    static partial void AddModuleContexts(IServiceProvider services, List<DbContext> contexts) =>
        contexts.Add(services.GetRequiredService<SecurityDbContext>());
}
