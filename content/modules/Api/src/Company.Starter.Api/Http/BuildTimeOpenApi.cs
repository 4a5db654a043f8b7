using System.Reflection;

namespace Company.Starter.Api.Http;

/// <summary>
/// At build time, Microsoft.Extensions.ApiDescription.Server starts this app inside a tool named GetDocument.Insider,
/// with no server and none of the deployment's settings, only to describe its endpoints. Placeholder connection strings
/// let options validation pass there; nothing connects to them, and a real run never sees them.
/// </summary>
internal static class BuildTimeOpenApi
{
    public static bool IsRunning => Assembly.GetEntryAssembly()?.GetName().Name == "GetDocument.Insider";

    public static void AddPlaceholderSettings(IConfigurationBuilder configuration) =>
        configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:appdb"] = "Data Source=build-time-openapi-generation",
            ["ConnectionStrings:redis"] = "build-time-openapi-generation:6379",
        });
}
