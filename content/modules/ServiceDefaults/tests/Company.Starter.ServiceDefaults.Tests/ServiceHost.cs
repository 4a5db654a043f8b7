using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace Company.Starter.ServiceDefaults.Tests;

/// <summary>
/// The smallest service ServiceDefaults serves: <c>AddServiceDefaults</c>, <c>MapDefaultEndpoints</c> and one endpoint,
/// on an in-memory server. Whatever a test finds here comes from the module, not from the API built on it.
/// </summary>
internal static class ServiceHost
{
    public const string PingPath = "/ping";

    public static async Task<WebApplication> StartAsync(
        IReadOnlyDictionary<string, string?>? settings = null, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Production });
        builder.WebHost.UseTestServer();
        builder.Configuration.AddInMemoryCollection(settings ?? new Dictionary<string, string?>());
        builder.AddServiceDefaults();
        configure?.Invoke(builder);

        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapGet(PingPath, () => "pong");
        try
        {
            await app.StartAsync(TestContext.Current.CancellationToken);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        return app;
    }
}
