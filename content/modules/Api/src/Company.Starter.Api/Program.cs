#if (UseGraphQL)
using Company.Starter.Api.GraphQL;
#endif
#if (UseGrpc)
using Company.Starter.Api.Grpc;
#endif
using Company.Starter.Api.Http;
#if (UseRest)
using Company.Starter.Api.Products;
using Company.Starter.Api.Sales;
#endif
#if (UseAuth)
using Company.Starter.Api.Security;
#endif
using Company.Starter.Data;

#if (UseAuth)
// `dotnet Company.Starter.Api.dll keys generate --output signing-key.pem` makes the token signing key, and exits.
if (SecurityCommands.TryRunOffline(args, Console.Out, Console.Error, out var exitCode))
{
    return exitCode;
}

#endif
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

// `dotnet Company.Starter.Api.dll migrate` applies pending migrations (creating the database on a first run) and
// exits: an explicit deployment step. A failure is one line on stderr and exit code 1.
if (args.Contains("migrate", StringComparer.OrdinalIgnoreCase))
{
    return await app.Services.RunMigrateCommandAsync(Console.Error);
}
#if (UseAuth)

// `dotnet Company.Starter.Api.dll users grant-admin someone@example.com` gives an existing user the admin role.
if (await app.TryRunSecurityCommandAsync(args))
{
    return Environment.ExitCode;
}

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

await app.RunAsync();
return 0;
