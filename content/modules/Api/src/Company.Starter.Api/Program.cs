#if (UseGraphQL)
using Company.Starter.Api.GraphQL;
#endif
#if (UseGrpc)
using Company.Starter.Api.Grpc;
#endif
using Company.Starter.Api.Http;
#if (!NoRest)
using Company.Starter.Api.Products;
using Company.Starter.Api.Sales;
#endif
using Company.Starter.Data;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddData();
builder.AddApiConventions();
#if (UseGrpc)
builder.AddGrpcApi();
#endif
#if (UseGraphQL)
builder.AddGraphQLApi();
#endif

var app = builder.Build();

// `dotnet Company.Starter.Api.dll migrate` applies pending migrations and exits: an explicit deployment step.
if (args.Contains("migrate", StringComparer.OrdinalIgnoreCase))
{
    await app.Services.MigrateDatabaseAsync();
    return;
}

app.UseApiConventions();
app.MapDefaultEndpoints();
#if (!NoRest)
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
