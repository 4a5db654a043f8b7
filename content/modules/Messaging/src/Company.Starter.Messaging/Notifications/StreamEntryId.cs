using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Company.Starter.Messaging.Notifications;

/// <summary>
/// A Redis stream entry id (<c>1735689600000-0</c>: milliseconds, then a sequence number), the <c>id</c> of every event
/// the browser receives and so the <c>Last-Event-ID</c> it sends back when it reconnects.
/// </summary>
public readonly record struct StreamEntryId(ulong Milliseconds, ulong Sequence) : IComparable<StreamEntryId>
{
    /// <summary>Parses <c>&lt;ms&gt;-&lt;seq&gt;</c> exactly as Redis writes it; anything else (a client's mistake) is false.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out StreamEntryId id)
    {
        id = default;
        var dash = text?.IndexOf('-') ?? -1;
        if (dash <= 0 || dash == text!.Length - 1 || text.Length > 41)
        {
            return false;
        }

        var ms = text.AsSpan(0, dash);
        var seq = text.AsSpan(dash + 1);
        if (!IsDigits(ms) || !IsDigits(seq)
            || !ulong.TryParse(ms, NumberStyles.None, CultureInfo.InvariantCulture, out var milliseconds)
            || !ulong.TryParse(seq, NumberStyles.None, CultureInfo.InvariantCulture, out var sequence))
        {
            return false;
        }

        id = new StreamEntryId(milliseconds, sequence);
        return true;
    }

    public int CompareTo(StreamEntryId other) =>
        Milliseconds != other.Milliseconds ? Milliseconds.CompareTo(other.Milliseconds) : Sequence.CompareTo(other.Sequence);

    public static bool operator <(StreamEntryId left, StreamEntryId right) => left.CompareTo(right) < 0;

    public static bool operator >(StreamEntryId left, StreamEntryId right) => left.CompareTo(right) > 0;

    public static bool operator <=(StreamEntryId left, StreamEntryId right) => left.CompareTo(right) <= 0;

    public static bool operator >=(StreamEntryId left, StreamEntryId right) => left.CompareTo(right) >= 0;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Milliseconds}-{Sequence}");

    private static bool IsDigits(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }

        return true;
    }
}
