using Company.Starter.Api.Http;
using Company.Starter.Api.Products;
using Company.Starter.Api.Sales;
using Company.Starter.Data;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddData();
builder.AddApiConventions();

var app = builder.Build();

// `dotnet Company.Starter.Api.dll migrate` applies pending migrations and exits: an explicit deployment step.
if (args.Contains("migrate", StringComparer.OrdinalIgnoreCase))
{
    await app.Services.MigrateDatabaseAsync();
    return;
}

app.UseApiConventions();
app.MapDefaultEndpoints();
app.MapProductEndpoints();
app.MapSalesEndpoints();

await app.RunAsync();
