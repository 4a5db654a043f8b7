#if (UseGraphQL)
using Company.Starter.Api.GraphQL;
#endif
#if (UseGrpc)
using Company.Starter.Api.Grpc;
#endif
using Company.Starter.Api.Hosting;
using Company.Starter.Api.Http;
#if (UseRest)
using Company.Starter.Api.Products;
using Company.Starter.Api.Sales;
#endif

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

builder.AddServiceDefaults();
builder.AddData();
builder.AddApiConventions();
#if (UseAuth)
builder.AddSecurity();
#endif
#if (UseGrpc)
builder.AddGrpcApi();
#endif
#if (UseGraphQL)
builder.AddGraphQLApi();
#endif

var app = builder.Build();

// The security headers first, so that every answer carries them, also one a later middleware ends (a 413, a 429);
// then the API's conventions, in their own order (forwarded headers, errors, limits, access control, caching).
#if (UseAuth)
app.UseSecurityHeaders();
#endif
app.UseApiConventions();

app.MapDefaultEndpoints();
#if (UseAuth)
app.MapSecurityEndpoints();
#endif
#if (UseRest)
app.MapProductEndpoints();
app.MapSalesEndpoints();
#endif
#if (UseGrpc)
app.MapGrpcApi();
#endif
#if (UseGraphQL)
app.MapGraphQLApi();
#endif

// The server until it stops, or the command (migrate, users ...) on the app's services, never started.
return await command.RunAsync(app);
