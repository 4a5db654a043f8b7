using Company.Starter.Api.Hosting;
using Company.Starter.Api.Http;

// The API host, top to bottom: the command line, the services, the middleware in the order a request meets it, the
// endpoints, then the server or the host command the first argument names.

// `dotnet Company.Starter.Api.dll <command>` runs a host command instead of the server (Hosting/HostCommands.cs and
// each module's HostCommands.<Module>.cs: migrate, keys generate, users ...). One that needs neither the settings nor
// the database, `--help` and a mistyped command line end here, before anything reads a setting.
var command = HostCommand.Parse(args);
if (!command.NeedsApp)
{
    return await command.RunAsync();
}

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();   // telemetry, health checks, service discovery, resilience
builder.AddData();              // EF Core, migrations, the read cache
builder.AddApi();               // the HTTP contract and the protocols the solution was generated with
#if (UseAuth)
builder.AddSecurity();          // accounts, sign-in, tokens, the access rules the API's endpoints declare
#endif
#if (UseMessaging)
builder.AddMessaging();         // orders and their events in one transaction (the outbox), notifications, workflows
#endif

var app = builder.Build();

#if (UseAuth)
// The security headers first, so that every answer carries them, also one a later middleware ends (a 413, a 429).
app.UseSecurityHeaders();
app.MapSecurityEndpoints();
#endif
// The API's conventions, in their own order: forwarded headers, errors, limits, access control, caching.
app.UseApiConventions();

app.MapDefaultEndpoints();
app.MapApi();
#if (UseMessaging)
app.MapMessagingEndpoints();
#endif

// The server until it stops, or the command (migrate, users ...) on the app's services, never started.
return await command.RunAsync(app);
