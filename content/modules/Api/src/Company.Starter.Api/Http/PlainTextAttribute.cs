using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Text;
using Company.Starter.Data;

namespace Company.Starter.Api.Http;

/// <summary>
/// A single line of text that reads as it displays: no control characters (NUL, line breaks), no invisible format
/// characters (bidi overrides such as U+202E that make "exe.txt" show as "txt.exe", zero-width spaces and joiners that
/// make two names look alike), no line or paragraph separators and no unpaired surrogates (not Unicode; the database
/// cannot store them). Every protocol validates its input with the request types that carry this attribute, so REST,
/// gRPC and GraphQL accept exactly the same names.
/// </summary>
/// <remarks>
/// Emoji sequences joined with U+200D (a family, a flag with a modifier) are refused with the other zero-width
/// characters: a product name does not need them, and allowing U+200D would allow look-alike names.
/// </remarks>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field | AttributeTargets.Parameter)]
public sealed class PlainTextAttribute() : ValidationAttribute("The {0} may not contain control, format or invisible characters.")
{
    public override bool IsValid(object? value) => value is not string text || IsPlainText(text);

    public static bool IsPlainText(string text)
    {
        if (!StoredText.IsWellFormed(text))
        {
            return false;
        }

        foreach (var rune in text.EnumerateRunes())
        {
            switch (Rune.GetUnicodeCategory(rune))
            {
                case UnicodeCategory.Control:
                case UnicodeCategory.Format:
                case UnicodeCategory.LineSeparator:
                case UnicodeCategory.ParagraphSeparator:
                case UnicodeCategory.Surrogate:
                    return false;
            }
        }

        return true;
    }
}
