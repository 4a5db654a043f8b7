using System.Buffers;
using System.Text;

namespace Company.Starter.Data;

/// <summary>What text the databases can store and compare as it was sent.</summary>
public static class StoredText
{
    /// <summary>
    /// False for text with a NUL (PostgreSQL's text types reject U+0000) or an unpaired surrogate (not Unicode: it has
    /// no UTF-8 form, so the driver fails to encode it). Either would reach the database as a 500, not a client error.
    /// </summary>
    public static bool IsStorable(ReadOnlySpan<char> text) => !text.Contains('\0') && IsWellFormed(text);

    /// <summary>True when every surrogate in <paramref name="text"/> is half of a pair.</summary>
    public static bool IsWellFormed(ReadOnlySpan<char> text)
    {
        while (!text.IsEmpty)
        {
            if (Rune.DecodeFromUtf16(text, out _, out var consumed) != OperationStatus.Done)
            {
                return false;
            }

            text = text[consumed..];
        }

        return true;
    }
}
