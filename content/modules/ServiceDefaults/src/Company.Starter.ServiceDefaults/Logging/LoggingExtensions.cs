using Company.Starter.ServiceDefaults.Logging;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Microsoft.Extensions.Hosting;

public static class LoggingExtensions
{
    /// <summary>
    /// Registers the <c>trace-json</c> console format. appsettings.json selects it (<c>Logging:Console:FormatterName</c>)
    /// for production; appsettings.Development.json keeps the readable <c>simple</c> format.
    /// </summary>
    public static TBuilder AddTraceJsonConsole<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Logging.AddConsoleFormatter<TraceJsonConsoleFormatter, ConsoleFormatterOptions>();
        return builder;
    }
}
