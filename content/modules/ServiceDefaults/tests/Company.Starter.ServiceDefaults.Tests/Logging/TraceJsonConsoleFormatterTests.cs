using System.Diagnostics;
using System.Text.Json;
using Company.Starter.ServiceDefaults.Logging;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Company.Starter.ServiceDefaults.Tests.Logging;

public sealed class TraceJsonConsoleFormatterTests
{
    [Fact]
    public void A_log_written_inside_a_span_carries_its_trace_and_span_ids()
    {
        using var activity = new Activity("request").SetIdFormat(ActivityIdFormat.W3C).Start();

        var line = Format(LogLevel.Warning, "Stock of {Sku} is low", ("Sku", "LAMP-1"));

        using var json = JsonDocument.Parse(line);
        var root = json.RootElement;
        Assert.Equal(activity.TraceId.ToHexString(), root.GetProperty("trace_id").GetString());
        Assert.Equal(activity.SpanId.ToHexString(), root.GetProperty("span_id").GetString());
        Assert.Equal("Warning", root.GetProperty("level").GetString());
        Assert.Equal("Stock of LAMP-1 is low", root.GetProperty("message").GetString());
        Assert.Equal("LAMP-1", root.GetProperty("attributes").GetProperty("Sku").GetString());
    }

    [Fact]
    public void A_log_outside_any_span_has_no_trace_fields_and_is_still_one_json_line()
    {
        Assert.Null(Activity.Current);

        var line = Format(LogLevel.Information, "Started");

        Assert.DoesNotContain('\n', line.TrimEnd());
        using var json = JsonDocument.Parse(line);
        Assert.False(json.RootElement.TryGetProperty("trace_id", out _));
    }

    [Fact]
    public void Log_scopes_are_kept_outermost_first_with_their_values()
    {
        var scopes = new LoggerExternalScopeProvider();
        using (scopes.Push(new LogValues("Request {RequestPath}", [("RequestPath", "/api/products"), ("RequestId", "0HN1:00000001")])))
        using (scopes.Push("checkout"))
        {
            var line = Format(LogLevel.Information, "Done", [], scopes);

            using var json = JsonDocument.Parse(line);
            var kept = json.RootElement.GetProperty("scopes");
            Assert.Equal(2, kept.GetArrayLength());
            Assert.Equal("/api/products", kept[0].GetProperty("RequestPath").GetString());
            Assert.Equal("0HN1:00000001", kept[0].GetProperty("RequestId").GetString());
            Assert.False(kept[0].TryGetProperty("{OriginalFormat}", out _));
            Assert.Equal("checkout", kept[1].GetString());
        }

        // Without a scope there is no empty array.
        using var plain = JsonDocument.Parse(Format(LogLevel.Information, "Done", [], scopes));
        Assert.False(plain.RootElement.TryGetProperty("scopes", out _));
    }

    private static string Format(LogLevel level, string template, params (string Key, object? Value)[] values) =>
        Format(level, template, values, scopeProvider: null);

    private static string Format(LogLevel level, string template, (string Key, object? Value)[] values, IExternalScopeProvider? scopeProvider)
    {
        var state = new LogValues(template, values);
        var entry = new LogEntry<LogValues>(level, "Tests", new EventId(7), state, null, static (s, _) => s.ToString());
        using var writer = new StringWriter();
        new TraceJsonConsoleFormatter().Write(entry, scopeProvider, writer);
        return writer.ToString();
    }

    /// <summary>The shape message templates give a log's state: the values, then the template as {OriginalFormat}.</summary>
    private sealed class LogValues(string template, (string Key, object? Value)[] values) : IReadOnlyList<KeyValuePair<string, object?>>
    {
        public int Count => values.Length + 1;

        public KeyValuePair<string, object?> this[int index] => index < values.Length
            ? new(values[index].Key, values[index].Value)
            : new("{OriginalFormat}", template);

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
        {
            for (var i = 0; i < Count; i++)
            {
                yield return this[i];
            }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() =>
            values.Aggregate(template, (text, value) => text.Replace($"{{{value.Key}}}", Convert.ToString(value.Value, System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
    }
}
