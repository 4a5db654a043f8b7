using System.Globalization;
using System.Text;

namespace TemplatePack.Tests.Run.Sweep;

/// <summary>
/// Writes sweep values as JSON and URL text byte for byte as intended. A serializer would refuse (or silently repair)
/// exactly the values the sweep is about: lone surrogates, NUL, invisible characters.
/// </summary>
public static class JsonText
{
    /// <summary>
    /// A JSON string literal. Control, format, separator and surrogate code units are written as \uXXXX escapes (valid
    /// JSON text whatever they decode to, a lone surrogate included); everything else as itself.
    /// </summary>
    public static string Quote(string value)
    {
        var json = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"':
                    json.Append("\\\"");
                    break;
                case '\\':
                    json.Append("\\\\");
                    break;
                default:
                    if (NeedsEscape(c))
                    {
                        json.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        json.Append(c);
                    }

                    break;
            }
        }

        return json.Append('"').ToString();
    }

    /// <summary>
    /// Percent-encodes every byte but RFC 3986's unreserved characters. A lone surrogate has no UTF-8 form: it goes out
    /// as the three bytes a careless encoder would write (ED A0 80 for U+D800), which are invalid UTF-8.
    /// </summary>
    public static string PercentEncode(string value)
    {
        var encoded = new StringBuilder(value.Length * 3);
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            byte[] bytes;
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                bytes = Encoding.UTF8.GetBytes(value.Substring(i++, 2));
            }
            else if (char.IsSurrogate(c))
            {
                bytes = [(byte)(0xE0 | (c >> 12)), (byte)(0x80 | ((c >> 6) & 0x3F)), (byte)(0x80 | (c & 0x3F))];
            }
            else if (c < 0x80 && (char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~'))
            {
                encoded.Append(c);
                continue;
            }
            else
            {
                bytes = Encoding.UTF8.GetBytes(c.ToString());
            }

            foreach (var b in bytes)
            {
                encoded.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return encoded.ToString();
    }

    /// <summary>True when <paramref name="value"/> has no lone surrogate (it is Unicode, and has a UTF-8 form).</summary>
    public static bool IsWellFormed(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            if (char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(value[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// True when <paramref name="value"/> holds a character a reader cannot see or that changes how text around it reads:
    /// control characters (NUL, line breaks, ESC, DEL, C1), format characters (bidi overrides and isolates, zero-width
    /// space and joiners, the BOM), line and paragraph separators, lone surrogates.
    /// </summary>
    public static bool HasInvisible(string value)
    {
        if (!IsWellFormed(value))
        {
            return true;
        }

        foreach (var rune in value.EnumerateRunes())
        {
            if (Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control or UnicodeCategory.Format
                or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator)
            {
                return true;
            }
        }

        return false;
    }

    private static bool NeedsEscape(char c) =>
        char.IsSurrogate(c) || char.GetUnicodeCategory(c) is UnicodeCategory.Control or UnicodeCategory.Format
            or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator;
}
