using System.Globalization;
using System.Numerics;
using System.Text.RegularExpressions;

namespace TemplatePack.Tests.Run.Sweep;

/// <summary>
/// A JSON number literal as the exact value it writes (mantissa × 10^exponent), so "1e-28", "79228162514264337593543950336"
/// or "1e400" are judged by what they say, not by what a double or decimal would round them to.
/// </summary>
public readonly partial record struct ExactNumber(BigInteger Mantissa, int Exponent)
{
    /// <summary>Digits after the point once trailing zeros are dropped ("19.900" has 1, "1e-28" has 28).</summary>
    public int Scale => Math.Max(0, -Exponent);

    public bool IsInteger => Exponent >= 0;

    public static ExactNumber? Parse(string literal)
    {
        var match = Literal().Match(literal);
        if (!match.Success)
        {
            return null;
        }

        var digits = match.Groups["int"].Value + match.Groups["frac"].Value;
        var exponent = -match.Groups["frac"].Value.Length;
        if (match.Groups["exp"].Success)
        {
            if (!int.TryParse(match.Groups["exp"].Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var e) || Math.Abs(e) > 100_000)
            {
                return null; // far beyond any type the app binds to: refused as out of range by the caller
            }

            exponent += e;
        }

        var mantissa = BigInteger.Parse(digits, CultureInfo.InvariantCulture);
        if (match.Groups["sign"].Value == "-")
        {
            mantissa = -mantissa;
        }

        if (mantissa.IsZero)
        {
            return new ExactNumber(0, 0);
        }

        while (mantissa % 10 == 0)
        {
            mantissa /= 10;
            exponent++;
        }

        return new ExactNumber(mantissa, exponent);
    }

    public static ExactNumber From(decimal value) => Parse(value.ToString(CultureInfo.InvariantCulture))!.Value;

    public int CompareTo(ExactNumber other)
    {
        var shared = Math.Min(Exponent, other.Exponent);
        if (Math.Abs(Exponent - shared) > 10_000 || Math.Abs(other.Exponent - shared) > 10_000)
        {
            // Exponents this far apart: the larger exponent decides unless signs differ.
            if (Mantissa.Sign != other.Mantissa.Sign)
            {
                return Mantissa.Sign.CompareTo(other.Mantissa.Sign);
            }

            return (Exponent > other.Exponent ? 1 : -1) * Mantissa.Sign;
        }

        return (Mantissa * BigInteger.Pow(10, Exponent - shared)).CompareTo(other.Mantissa * BigInteger.Pow(10, other.Exponent - shared));
    }

    [GeneratedRegex(@"^(?<sign>-?)(?<int>0|[1-9][0-9]*)(?:\.(?<frac>[0-9]+))?(?:[eE](?<exp>[+-]?[0-9]+))?$")]
    private static partial Regex Literal();
}
