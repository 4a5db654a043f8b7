using System.Diagnostics;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace Company.Starter.ServiceDefaults.Logging;

/// <summary>
/// One JSON object per line, with the <c>trace_id</c> and <c>span_id</c> of the activity the log was written in, so a
/// log line found in any log store leads straight to its trace. Field names follow OpenTelemetry's log data model.
/// Log scopes (<c>BeginScope</c>: ASP.NET Core's request path and id, your own) are kept, outermost first, in
/// <c>scopes</c>: an object of a scope's values, or its text when it has none.
/// </summary>
public sealed class TraceJsonConsoleFormatter() : ConsoleFormatter(FormatterName)
{
    /// <summary>The name to select in <c>Logging:Console:FormatterName</c>.</summary>
    public const string FormatterName = "trace-json";

    // Relaxed escaping keeps quotes and non-ASCII readable; the output is a log line, never embedded in HTML.
    private static readonly JsonWriterOptions WriterOptions = new() { Indented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = logEntry.Formatter(logEntry.State, logEntry.Exception);
        if (message is null && logEntry.Exception is null)
        {
            return;
        }

        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            json.WriteStartObject();
            json.WriteString("timestamp", DateTimeOffset.UtcNow);
            json.WriteString("level", logEntry.LogLevel.ToString());
            json.WriteString("category", logEntry.Category);
            if (logEntry.EventId.Id != 0)
            {
                json.WriteNumber("event_id", logEntry.EventId.Id);
            }

            json.WriteString("message", message);

            if (Activity.Current is { } activity)
            {
                json.WriteString("trace_id", activity.TraceId.ToHexString());
                json.WriteString("span_id", activity.SpanId.ToHexString());
            }

            if (logEntry.Exception is { } exception)
            {
                json.WriteString("exception", exception.ToString());
            }

            if (logEntry.State is IReadOnlyList<KeyValuePair<string, object?>> attributes)
            {
                json.WriteStartObject("attributes");
                WriteValues(json, attributes);
                json.WriteEndObject();
            }

            if (scopeProvider is not null)
            {
                var scopes = 0;
                scopeProvider.ForEachScope((scope, writer) =>
                {
                    if (scopes++ == 0)
                    {
                        writer.WriteStartArray("scopes");
                    }

                    if (scope is IEnumerable<KeyValuePair<string, object?>> values)
                    {
                        writer.WriteStartObject();
                        WriteValues(writer, values);
                        writer.WriteEndObject();
                    }
                    else
                    {
                        writer.WriteStringValue(Convert.ToString(scope, System.Globalization.CultureInfo.InvariantCulture));
                    }
                }, json);
                if (scopes > 0)
                {
                    json.WriteEndArray();
                }
            }

            json.WriteEndObject();
        }

        textWriter.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
    }

    private static void WriteValues(Utf8JsonWriter json, IEnumerable<KeyValuePair<string, object?>> values)
    {
        foreach (var (key, value) in values)
        {
            if (key != "{OriginalFormat}")
            {
                json.WriteString(key, Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture));
            }
        }
    }
}
