namespace Microsoft.Extensions.Hosting;

/// <summary>Starts, signals and queries an order's fulfilment workflow.</summary>
public static class FulfilmentEndpoints
{
    public static WebApplication MapFulfilmentEndpoints(this WebApplication app)
    {
        return app;
    }
}
