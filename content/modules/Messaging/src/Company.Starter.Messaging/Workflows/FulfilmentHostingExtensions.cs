namespace Microsoft.Extensions.Hosting;

/// <summary>The Temporal fulfilment saga: the client the API starts, signals and queries it with; the worker that runs it.</summary>
public static class FulfilmentHostingExtensions
{
    public static TBuilder AddFulfilmentClient<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        return builder;
    }

    public static TBuilder AddFulfilmentWorker<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        return builder;
    }
}
