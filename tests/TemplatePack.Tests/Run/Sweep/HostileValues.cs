using System.Globalization;
using System.Numerics;
using System.Text.RegularExpressions;

namespace TemplatePack.Tests.Run.Sweep;

/// <summary>
/// The values the sweep tries for one field, by the field's schema: hostile characters in strings, numbers at the
/// limits of their type and of decimal precision, extreme and invalid dates, wrong JSON types, forged cursors, wrong
/// choices. Each value is classified from the schema's own constraints (plus the rules of <see cref="TextRole"/>), so
/// a value the schema allows, such as a long but legal name, is never required to be refused.
/// </summary>
public static class HostileValues
{
    /// <summary>Hostile code points, inserted into an otherwise valid value. Every one of them is invisible or breaks text.</summary>
    private static readonly (string Label, string Text)[] Invisible =
    [
        ("NUL", "\0"), ("SOH", "\u0001"), ("ESC sequence", "\u001b[31m"), ("DEL", "\u007f"), ("line feed", "\n"), ("CR LF", "\r\n"),
        ("tab", "\t"), ("C1 NEL", "\u0085"), ("RLO bidi override", "\u202e"), ("LRO bidi override", "\u202d"),
        ("RLI bidi isolate", "\u2067"), ("PDI", "\u2069"), ("RLM", "\u200f"), ("Arabic letter mark", "\u061c"),
        ("zero-width space", "\u200b"), ("zero-width joiner", "\u200d"), ("word joiner", "\u2060"), ("BOM", "\ufeff"),
        ("line separator", "\u2028"), ("paragraph separator", "\u2029"), ("lone high surrogate", "\ud800"),
        ("lone low surrogate", "\udc00"), ("reversed surrogate pair", "\udc00\ud800"),
    ];

    /// <summary>Odd but legal text: must never break anything, may be accepted.</summary>
    private static readonly (string Label, string Text)[] Legal =
    [
        ("Hebrew", "\u05e9\u05dc\u05d5\u05dd"), ("emoji", "\U0001F600"), ("combining marks", "e\u0301\u0301\u0301"), ("CJK", "\u5546\u54c1"),
        ("quotes and backslash", "O'Brien \"q\" \\"), ("percent", "%00%ff"), ("markup", "<b>&amp;"),
    ];

    // ---- JSON (bodies, GraphQL variables) ---------------------------------------------------------------------------

    /// <param name="name">The field's JSON name (an email gets its hostile characters in the local part).</param>
    /// <param name="required">Present and non-null is required ([Required] also refuses empty and blank strings).</param>
    /// <param name="valid">A valid value for the field, as a JSON literal (see <see cref="Examples"/>).</param>
    public static IEnumerable<SweepValue> Json(string name, FieldSchema schema, bool required, string valid, SweepContext context)
    {
        var values = schema.Kind switch
        {
            FieldKind.String when schema.Role == TextRole.Cursor => HostileCursors.All(context).Select(c => c with { Wire = JsonText.Quote(c.Wire) }),
            FieldKind.String => Strings(name, schema, required, context).Select(v => new SweepValue(v.Label, JsonText.Quote(v.Text), Verdict(schema, required, v.Text))),
            FieldKind.Integer or FieldKind.Number => Numbers(schema, required),
            FieldKind.Boolean => [Value("true", "true", schema, true), Value("false", "false", schema, true), Value("string", "\"true\"", schema, false), Value("number 1", "1", schema, false)],
            FieldKind.DateTime => Dates().Select(d => new SweepValue(d.Label, JsonText.Quote(d.Text), d.Valid && d.Text.Length > 0 ? Expectation.MayAccept : Expectation.MustReject))
                .Append(new SweepValue("number", "1767225600", Expectation.MustReject)),
            _ => [],
        };

        foreach (var value in values)
        {
            yield return value;
        }

        // Wrong JSON types: whatever the field, one that its schema does not list.
        if (schema.Kind != FieldKind.Any)
        {
            yield return new SweepValue("array", $"[{valid}]", Expectation.MustReject);
            yield return new SweepValue("object", $$"""{"value":{{valid}}}""", Expectation.MustReject);
            yield return new SweepValue("null", "null", required || !schema.Nullable ? Expectation.MustReject : Expectation.MayAccept);
            if (schema.Kind is FieldKind.String or FieldKind.DateTime)
            {
                yield return new SweepValue("number for a string", "12", Expectation.MustReject);
                yield return new SweepValue("boolean for a string", "false", Expectation.MustReject);
            }
            else if (schema.Kind is FieldKind.Integer or FieldKind.Number)
            {
                yield return new SweepValue("boolean for a number", "true", Expectation.MustReject);
            }
        }
    }

    // ---- text (path segments, query values) -------------------------------------------------------------------------

    /// <param name="addressesResource">A path segment that names a row: no generated value names an existing one, so every value must be refused (a 404 is a refusal).</param>
    public static IEnumerable<SweepValue> Text(string name, FieldSchema schema, bool addressesResource, SweepContext context)
    {
        IEnumerable<(string Label, string Text, bool Valid)> values = schema.Kind switch
        {
            FieldKind.String when schema.Role == TextRole.Cursor => HostileCursors.All(context).Select(c => (c.Label, c.Wire, c.Expect == Expectation.MayAccept)),
            FieldKind.String => Strings(name, schema, required: false, context).Select(v => (v.Label, v.Text, Verdict(schema, false, v.Text) == Expectation.MayAccept)),
            FieldKind.Integer => IntegerTexts(schema),
            FieldKind.Boolean => [("true", "true", true), ("TRUE", "TRUE", true), ("1", "1", false), ("yes", "yes", false), ("maybe", "maybe", false), ("NUL", "true\0", false), ("empty", "", true)],
            FieldKind.DateTime => Dates(),
            _ => [],
        };

        foreach (var (label, text, valid) in values)
        {
            yield return new SweepValue(label, JsonText.PercentEncode(text), valid && !addressesResource ? Expectation.MayAccept : Expectation.MustReject);
        }
    }

    // ---- strings ----------------------------------------------------------------------------------------------------

    private static IEnumerable<(string Label, string Text)> Strings(string name, FieldSchema schema, bool required, SweepContext context)
    {
        if (schema.Role == TextRole.Choice)
        {
            foreach (var choice in schema.Choices ?? [])
            {
                yield return ($"choice {choice}", choice);
                yield return ($"choice {choice} in upper case", choice.ToUpperInvariant());
                yield return ($"choice {choice} + zero-width space", choice + "\u200b");
                yield return ($"choice {choice} + NUL", choice + "\0");
            }

            yield return ("unknown word", "week");
            yield return ("number", "1");
            yield return ("negative number", "-1");
            yield return ("two choices", string.Join(",", schema.Choices ?? []));
            yield return ("empty", "");
            yield break;
        }

        var example = Examples.Text(name, schema, context);
        var middle = example.Length / 2;
        foreach (var (label, text) in Invisible.Concat(Legal))
        {
            yield return (label, Examples.IsEmail(name) ? example.Insert(example.IndexOf('@'), text) : example.Insert(middle, text));
        }

        yield return ("NUL only", "\0");
        yield return ("empty", "");
        yield return ("blank", "   ");
        yield return ("leading and trailing spaces", $"  {example}  ");
        if (schema.MaxLength is { } max)
        {
            yield return ($"{max} characters (the maximum)", Examples.OfLength(name, schema, max, context));
            yield return ($"{max + 1} characters (one over)", Examples.OfLength(name, schema, max + 1, context));
            yield return ($"{Math.Min(max * 100, 100_000)} characters", Examples.OfLength(name, schema, Math.Min(max * 100, 100_000), context));
        }
        else
        {
            yield return ("100,000 characters", Examples.OfLength(name, schema, 100_000, context));
        }
    }

    /// <summary>Whether a string must be refused: by the schema's length and pattern, [Required], and its role.</summary>
    public static Expectation Verdict(FieldSchema schema, bool required, string value)
    {
        var refused =
            !JsonText.IsWellFormed(value)                                             // not Unicode: no UTF-8 form
            || (required && string.IsNullOrWhiteSpace(value))                        // [Required] refuses blank strings
            || (schema.MaxLength is { } max && value.Length > max)
            || (schema.MinLength is { } min && value.Length < min)
            || (schema.Pattern is { } pattern && !Regex.IsMatch(value, pattern, RegexOptions.None, TimeSpan.FromSeconds(1)))
            || (schema.Role == TextRole.Choice && !(schema.Choices ?? []).Contains(value.Trim(), StringComparer.OrdinalIgnoreCase) && value.Length > 0)
            || (schema.Role != TextRole.Secret && JsonText.HasInvisible(value));    // a password's characters are its owner's business
        return refused ? Expectation.MustReject : Expectation.MayAccept;
    }

    // ---- numbers ----------------------------------------------------------------------------------------------------

    private static IEnumerable<SweepValue> Numbers(FieldSchema schema, bool required)
    {
        var (typeMin, typeMax) = TypeLimits(schema);
        var low = schema.Minimum is { } min ? ExactNumber.From(min) : typeMin;
        var high = schema.Maximum is { } max ? ExactNumber.From(max) : typeMax;
        var step = schema.Kind == FieldKind.Integer ? new ExactNumber(1, 0) : new ExactNumber(1, -(schema.Scale ?? 2));
        List<(string Label, string Literal)> literals =
        [
            ("minimum", Write(low)), ("maximum", Write(high)), ("below the minimum", Write(Add(low, step, -1))), ("above the maximum", Write(Add(high, step, 1))),
            ("zero", "0"), ("minus zero", "-0"), ("minus one", "-1"), ("fraction", "1.5"), ("integral fraction", "2.0"), ("exponent", "1E2"),
            ("1e400", "1e400"), ("-1e400", "-1e400"), ("decimal overflow (2^96)", "79228162514264337593543950336"), ("decimal maximum", "79228162514264337593543950335"),
        ];
        if (schema.Kind == FieldKind.Integer)
        {
            literals.AddRange([("int32 overflow", "2147483648"), ("int32 underflow", "-2147483649"), ("int64 overflow", "9223372036854775808"), ("int64 underflow", "-9223372036854775809")]);
        }
        else
        {
            literals.AddRange(
            [
                ("1e-28 (smallest decimal)", "1e-28"), ("scale 3", "12.345"), ("scale 2", "12.34"), ("one cent", "0.01"), ("trailing zeros", "12.500"),
                ("over decimal precision", "1.0000000000000000000000000000001"), ("over decimal precision, scale 3", "12.3450000000000000000000000000001"),
                ("exponent fraction", "0.1e1"), ("tiny", "1e-400"),
            ]);
        }

        foreach (var (label, literal) in literals)
        {
            var valid = NumberIsValid(schema, literal, low, high);
            if (!schema.NumberOnlyAsString)
            {
                yield return new SweepValue(label, literal, valid ? Expectation.MayAccept : Expectation.MustReject);
            }

            if (schema.NumberAsString || schema.NumberOnlyAsString)
            {
                // Judged by the number it writes, not by the document's pattern: ASP.NET Core reads "1E2" from a string
                // as it reads 1E2 from a number, and the value is what must be valid.
                var asString = valid;
                yield return new SweepValue(label + " as a string", JsonText.Quote(literal), asString ? Expectation.MayAccept : Expectation.MustReject);
            }
        }

        foreach (var (label, text) in new[] { ("NaN", "NaN"), ("Infinity", "Infinity"), ("-Infinity", "-Infinity"), ("empty string", ""), ("comma decimal", "1,5"), ("hex", "0x10"), ("padded", " 1 "), ("NUL", "1\0") })
        {
            yield return new SweepValue(label + " as a string", JsonText.Quote(text), Expectation.MustReject);
        }

        if (schema.NumberOnlyAsString)
        {
            yield return new SweepValue("JSON number for a decimal string", "12.5", Expectation.MustReject);
        }
        else
        {
            // Bare NaN and Infinity are not JSON at all.
            yield return new SweepValue("bare NaN", "NaN", Expectation.MustReject);
        }

        _ = required;
    }

    private static bool NumberIsValid(FieldSchema schema, string literal, ExactNumber low, ExactNumber high)
    {
        if (ExactNumber.Parse(literal) is not { } number)
        {
            return false;
        }

        if (schema.Kind == FieldKind.Integer && (!number.IsInteger || (schema.IntegralLiteralsOnly && literal.IndexOfAny(['.', 'e', 'E']) >= 0)))
        {
            return false;
        }

        // A decimal holds 28 significant digits and nothing below 1e-28. A JSON number beyond that is read rounded, as
        // RFC 8259 (section 6) lets a reader do and as every reader limited to a double does anyway: what the rounded
        // number is decides (1.0000000000000000000000000000001 is 1, 1e-400 is 0; 12.3450000000000000000000000000001 is
        // still 12.345, three decimals too many). The generated tests prove that what a write echoes is what it stores.
        if (schema.Kind == FieldKind.Number
            && (BigInteger.Abs(number.Mantissa).ToString(CultureInfo.InvariantCulture).Length > 28 || (!number.Mantissa.IsZero && number.Exponent < -28)))
        {
            if (!decimal.TryParse(literal, NumberStyles.Float, CultureInfo.InvariantCulture, out var rounded))
            {
                return false;
            }

            number = ExactNumber.From(rounded);
        }

        return number.CompareTo(low) >= 0 && number.CompareTo(high) <= 0 && (schema.Scale is not { } scale || number.Scale <= scale);
    }

    private static IEnumerable<(string Label, string Text, bool Valid)> IntegerTexts(FieldSchema schema)
    {
        var (typeMin, typeMax) = TypeLimits(schema);
        var low = schema.Minimum is { } min ? ExactNumber.From(min) : typeMin;
        var high = schema.Maximum is { } max ? ExactNumber.From(max) : typeMax;
        var one = new ExactNumber(1, 0);
        (string Label, string Text)[] texts =
        [
            ("minimum", Write(low)), ("maximum", Write(high)), ("below the minimum", Write(Add(low, one, -1))), ("above the maximum", Write(Add(high, one, 1))),
            ("zero", "0"), ("minus zero", "-0"), ("type overflow", Write(Add(typeMax, one, 1))), ("type underflow", Write(Add(typeMin, one, -1))),
            ("20 nines", "99999999999999999999"), ("fraction", "1.5"), ("exponent", "1e3"), ("hex", "0x10"), ("word", "abc"), ("NaN", "NaN"),
            ("NUL", "1\0"), ("zero-width space", "1\u200b"), ("empty", ""),
        ];
        foreach (var (label, text) in texts)
        {
            var valid = text.Length == 0
                || (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
                    && ExactNumber.From(value).CompareTo(low) >= 0 && ExactNumber.From(value).CompareTo(high) <= 0
                    && ExactNumber.From(value).CompareTo(typeMax) <= 0 && ExactNumber.From(value).CompareTo(typeMin) >= 0);
            yield return (label, text, valid);
        }
    }

    private static (ExactNumber Min, ExactNumber Max) TypeLimits(FieldSchema schema) => schema switch
    {
        { Kind: FieldKind.Integer, Format: "int32" } => (ExactNumber.From(int.MinValue), ExactNumber.From(int.MaxValue)),
        { Kind: FieldKind.Integer } => (ExactNumber.From(long.MinValue), ExactNumber.From(long.MaxValue)),
        _ => (ExactNumber.From(decimal.MinValue), ExactNumber.From(decimal.MaxValue)),
    };

    private static ExactNumber Add(ExactNumber a, ExactNumber b, int sign)
    {
        var exponent = Math.Min(a.Exponent, b.Exponent);
        var sum = a.Mantissa * BigInteger.Pow(10, a.Exponent - exponent) + sign * b.Mantissa * BigInteger.Pow(10, b.Exponent - exponent);
        return ExactNumber.Parse(Write(new ExactNumber(sum, exponent)))!.Value;
    }

    /// <summary>Plain digits with a point, never an exponent: "1000000000.01", "-9223372036854775809".</summary>
    private static string Write(ExactNumber number)
    {
        var digits = BigInteger.Abs(number.Mantissa).ToString(CultureInfo.InvariantCulture);
        var sign = number.Mantissa.Sign < 0 ? "-" : "";
        if (number.Exponent >= 0)
        {
            return sign + digits + new string('0', number.Exponent);
        }

        digits = digits.PadLeft(-number.Exponent + 1, '0');
        return sign + digits[..^(-number.Exponent)] + "." + digits[^(-number.Exponent)..];
    }

    // ---- dates ------------------------------------------------------------------------------------------------------

    /// <summary>Extreme but representable instants (valid), and instants or texts that are no DateTimeOffset (refused).</summary>
    private static IEnumerable<(string Label, string Text, bool Valid)> Dates() =>
    [
        ("ordinary", "2026-01-01T00:00:00Z", true),
        ("0001-01-01 (DateTime's minimum)", "0001-01-01T00:00:00Z", true),
        ("0001-01-01 at +00:00", "0001-01-01T00:00:00+00:00", true),
        ("9999-12-31T23:59:59.9999999Z (the maximum)", "9999-12-31T23:59:59.9999999Z", true),
        ("Unix epoch", "1970-01-01T00:00:00Z", true),
        ("offset +14:00", "2026-06-30T12:00:00+14:00", true),
        ("offset -12:00", "2026-06-30T12:00:00-12:00", true),
        ("date only", "2026-01-01", true),
        ("no offset", "2026-01-01T00:00:00", true),
        ("0001-01-01 at +14:00 (before year 1 in UTC)", "0001-01-01T00:00:00+14:00", false),
        ("9999-12-31 at -14:00 (after year 9999 in UTC)", "9999-12-31T23:59:59.9999999-14:00", false),
        ("offset +99:00", "2026-01-01T00:00:00+99:00", false),
        ("offset +14:01", "2026-01-01T00:00:00+14:01", false),
        ("February 30", "2020-02-30T00:00:00Z", false),
        ("month 13", "2026-13-01T00:00:00Z", false),
        ("hour 25", "2026-01-01T25:00:00Z", false),
        ("year 0", "0000-01-01T00:00:00Z", false),
        ("year 10000", "10000-01-01T00:00:00Z", false),
        ("word", "yesterday", false),
        ("number", "1e400", false),
        ("NUL", "2026-01-01T00:00:00Z\0", false),
        ("RLO", "\u202e2026-01-01T00:00:00Z", false),
        ("empty", "", true),
    ];

    private static SweepValue Value(string label, string literal, FieldSchema schema, bool valid) =>
        new(label, literal, valid ? Expectation.MayAccept : Expectation.MustReject);
}
