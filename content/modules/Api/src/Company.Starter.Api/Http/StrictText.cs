using System.Globalization;

namespace Company.Starter.Api.Http;

/// <summary>
/// Reads the numbers, instants and names a client sends as text, for every surface: REST route and query values
/// (<see cref="StrictParameters"/>), gRPC's decimal strings and transcoded fields, GraphQL IDs. .NET's own parsers
/// forgive what a client should be told about instead: trailing NUL characters ("1\0" reads as 1), surrounding white
/// space, a leading "+", dates in culture-shaped forms ("01/05/2026" is January 5, "May 1 2026") and, for enums, numbers
/// and comma-separated flag combinations ("minute,hour" reads as hour). Each method here accepts one plain form and
/// nothing around it, so that a value that reads at all reads as the client meant.
/// </summary>
public static class StrictText
{
    /// <summary>
    /// The instants accepted: RFC 3339 date-times (what OpenAPI's <c>format: date-time</c> promises), with seconds, up to
    /// seven decimals of them, and an explicit offset, so that no server's time zone decides what a time means.
    /// </summary>
    private static readonly string[] DateTimeFormats =
    [
        "yyyy'-'MM'-'dd'T'HH':'mm':'ss'Z'",
        "yyyy'-'MM'-'dd'T'HH':'mm':'ss.FFFFFFF'Z'",
        "yyyy'-'MM'-'dd'T'HH':'mm':'sszzz",
        "yyyy'-'MM'-'dd'T'HH':'mm':'ss.FFFFFFFzzz",
    ];

    /// <summary>A whole number: an optional minus and ASCII digits ("42", "-1"); not "+1", " 1", "1\0", "1e3" or "0x10".</summary>
    public static bool IsInteger(ReadOnlySpan<char> text)
    {
        var digits = text.StartsWith('-') ? text[1..] : text;
        return !digits.IsEmpty && !digits.ContainsAnyExceptInRange('0', '9');
    }

    /// <summary>A decimal number: a whole number, optionally a point and digits ("19.90", "-0.5"); not ".5", "1.", "1e2" or "1,5".</summary>
    public static bool IsDecimal(ReadOnlySpan<char> text)
    {
        var point = text.IndexOf('.');
        return point < 0
            ? IsInteger(text)
            : IsInteger(text[..point]) && text.Length > point + 1 && !text[(point + 1)..].ContainsAnyExceptInRange('0', '9');
    }

    public static bool TryParseInt32(string? text, out int value)
    {
        value = 0;
        return IsInteger(text) && int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
    }

    public static bool TryParseInt64(string? text, out long value)
    {
        value = 0;
        return IsInteger(text) && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
    }

    public static bool TryParseDecimal(string? text, out decimal value)
    {
        value = 0;
        return IsDecimal(text)
            && decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>An RFC 3339 date-time with its offset: "2026-05-01T00:00:00Z", "2026-05-01T02:00:00.5+02:00".</summary>
    public static bool TryParseDateTimeOffset(string? text, out DateTimeOffset value)
    {
        value = default;
        // Only the characters the formats use: the parser would skip a trailing NUL or white space of its own accord.
        return text is { Length: > 0 }
            && !text.AsSpan().ContainsAnyExcept("0123456789-:.TZ+")
            && DateTimeOffset.TryParseExact(text, DateTimeFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out value);
    }

    /// <summary>One of the enum's names, in any case ("hour", "Hour"); not a number, a list ("minute,hour") or padding.</summary>
    public static bool TryParseName<TEnum>(string? text, out TEnum value) where TEnum : struct, Enum
    {
        value = default;
        var name = Enum.GetNames<TEnum>().FirstOrDefault(name => string.Equals(name, text, StringComparison.OrdinalIgnoreCase));
        return name is not null && Enum.TryParse(name, out value);
    }

    /// <summary>The names <see cref="TryParseName{TEnum}"/> accepts, as clients write them: "minute, hour, day".</summary>
    public static string Names<TEnum>() where TEnum : struct, Enum =>
        string.Join(", ", Enum.GetNames<TEnum>().Select(name => name.ToLowerInvariant()));
}
