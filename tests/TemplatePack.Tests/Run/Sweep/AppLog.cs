using System.Text.Json;

namespace TemplatePack.Tests.Run.Sweep;

/// <summary>
/// The error-level lines of the app's console output (the generated app logs one JSON object per line in Production,
/// with the trace id of the request it was handling), by trace id. Lines that are not JSON (start-up text, a crash's
/// stack trace) are kept apart: a sweep must not produce those either.
/// </summary>
public sealed class AppLog
{
    private AppLog(Dictionary<string, List<string>> byTrace, List<string> unattributed)
    {
        ByTrace = byTrace;
        Unattributed = unattributed;
    }

    public IReadOnlyDictionary<string, List<string>> ByTrace { get; }

    /// <summary>Error-level lines without a trace id, and lines that mention an unhandled exception outside JSON.</summary>
    public IReadOnlyList<string> Unattributed { get; }

    public IReadOnlyList<string> For(string traceId) => ByTrace.TryGetValue(traceId, out var lines) ? lines : [];

    /// <param name="output">The app's output (both streams).</param>
    /// <param name="skipLines">Lines written before the sweep started, not its business.</param>
    public static AppLog Parse(string output, int skipLines)
    {
        var byTrace = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var unattributed = new List<string>();
        foreach (var line in output.Split('\n').Skip(skipLines))
        {
            var trimmed = line.Trim();
            if (!trimmed.StartsWith('{'))
            {
                if (trimmed.Contains("Unhandled exception", StringComparison.OrdinalIgnoreCase) || trimmed.StartsWith("fail:", StringComparison.Ordinal) || trimmed.StartsWith("crit:", StringComparison.Ordinal))
                {
                    unattributed.Add(trimmed);
                }

                continue;
            }

            try
            {
                using var json = JsonDocument.Parse(trimmed);
                var root = json.RootElement;
                var level = root.TryGetProperty("level", out var l) ? l.GetString() : null;
                if (level is not ("Error" or "Critical"))
                {
                    continue;
                }

                if (root.TryGetProperty("trace_id", out var trace) && trace.GetString() is { Length: > 0 } traceId)
                {
                    if (!byTrace.TryGetValue(traceId, out var lines))
                    {
                        byTrace[traceId] = lines = [];
                    }

                    lines.Add(trimmed);
                }
                else
                {
                    unattributed.Add(trimmed);
                }
            }
            catch (JsonException)
            {
                // A log line cut by the process's end: nothing to judge.
            }
        }

        return new AppLog(byTrace, unattributed);
    }

    public static int LineCount(string output) => output.Split('\n').Length;
}
