using Company.Starter.Messaging;
using Microsoft.Extensions.Hosting;

namespace Company.Starter.Api.Tests;

// The messaging module's part of the test app: its tables are migrated with the app's before the app starts.
public sealed partial class ApiFactory
{
    static partial void AddModuleData(IHostApplicationBuilder builder) =>
        builder.Services.AddModuleDbContext<MessagingDbContext>(MessagingDbContext.MigrationsHistoryTable);
}
