using System.Globalization;
using System.Text.RegularExpressions;

namespace TemplatePack.Tests.Run.Sweep;

/// <summary>
/// Valid values, so that a request differs from a valid one in exactly the field under test. Unique where uniqueness
/// matters (a SKU, an email), so a legal create is not refused as a duplicate instead.
/// </summary>
public static class Examples
{
    public static bool IsEmail(string name) => name.Contains("email", StringComparison.OrdinalIgnoreCase);

    /// <summary>A valid value as a JSON literal; null when there is none worth sending (an optional cursor).</summary>
    public static string? Json(string name, FieldSchema schema, SweepContext context) => schema.Kind switch
    {
        FieldKind.String when schema.Role == TextRole.Cursor => null,
        FieldKind.String => JsonText.Quote(Text(name, schema, context)),
        FieldKind.Integer => Integer(name, schema, context).ToString(CultureInfo.InvariantCulture),
        FieldKind.Number when schema.NumberOnlyAsString => "\"12.5\"",
        FieldKind.Number => "12.5",
        FieldKind.Boolean => "false",
        FieldKind.DateTime => "\"2026-01-01T00:00:00Z\"",
        FieldKind.Object => Object(schema, context),
        _ => "{}",
    };

    /// <summary>An object with a valid value for every property that has one.</summary>
    public static string Object(FieldSchema schema, SweepContext context, string? except = null) =>
        "{" + string.Join(",", schema.Properties
            .Where(p => p.Key != except)
            .Select(p => (p.Key, Value: Json(p.Key, p.Value, context)))
            .Where(p => p.Value is not null)
            .Select(p => $"{JsonText.Quote(p.Key)}:{p.Value}")) + "}";

    public static string Text(string name, FieldSchema schema, SweepContext context)
    {
        var n = context.NextUnique();
        if (schema.Role == TextRole.Choice)
        {
            return schema.Default ?? schema.Choices?.FirstOrDefault() ?? "x";
        }

        if (schema.Role == TextRole.Secret)
        {
            return $"Sweep-password-{n:D6}-long-enough";
        }

        if (IsEmail(name))
        {
            return $"sweep-{context.Seed:x}-{n}@example.test";
        }

        // The first candidate the schema's pattern takes: "Sweep 17" for a name, "SW-17" for a SKU.
        string[] candidates = [$"Sweep {n}", $"SW-{context.Seed % 10_000}-{n}", $"sweep{n}", $"{n}"];
        return candidates.FirstOrDefault(c => HostileValues.Verdict(schema, true, c) == Expectation.MayAccept) ?? candidates[0];
    }

    /// <summary>A legal text of exactly <paramref name="length"/> characters (unique in its first characters).</summary>
    public static string OfLength(string name, FieldSchema schema, int length, SweepContext context)
    {
        var start = Text(name, schema, context).Replace(" ", "-", StringComparison.Ordinal);
        if (IsEmail(name))
        {
            var at = start.IndexOf('@');
            var local = start[..at];
            var domain = start[at..];
            return length <= domain.Length + local.Length ? (local + domain)[..Math.Max(0, length)] : local + new string('a', length - local.Length - domain.Length) + domain;
        }

        return length <= start.Length ? start[..length] : start + new string('a', length - start.Length);
    }

    public static long Integer(string name, FieldSchema schema, SweepContext context)
    {
        if (name.Equals("productId", StringComparison.OrdinalIgnoreCase))
        {
            return context.SeededId;
        }

        var low = schema.Minimum is { } min ? (long)Math.Max(min, 1) : 1;
        return schema.Maximum is { } max && max < low ? (long)max : low;
    }

    /// <summary>True when the text matches a pattern (used to pick candidates).</summary>
    public static bool Matches(string text, string pattern) => Regex.IsMatch(text, pattern, RegexOptions.None, TimeSpan.FromSeconds(1));
}
