using Company.Starter.Api.Http;
using Company.Starter.Data.Sales;

namespace Company.Starter.Api.Tests;

/// <summary>The one reader of numbers, times and names clients send as text: what it takes, and what .NET's parsers take that it does not.</summary>
public sealed class StrictTextTests
{
    [Theory]
    [InlineData("0", 0L)]
    [InlineData("42", 42L)]
    [InlineData("-7", -7L)]
    [InlineData("9223372036854775807", long.MaxValue)]
    public void Whole_numbers_are_read(string text, long expected)
    {
        Assert.True(StrictText.TryParseInt64(text, out var value));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("1\u0000")]
    [InlineData(" 1")]
    [InlineData("1 ")]
    [InlineData("+1")]
    [InlineData("1e3")]
    [InlineData("0x10")]
    [InlineData("1.0")]
    [InlineData("-")]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("٣")] // an Arabic-Indic digit
    [InlineData("9223372036854775808")]
    public void Anything_else_is_no_whole_number(string? text)
    {
        Assert.False(StrictText.TryParseInt64(text, out _));
        Assert.False(StrictText.TryParseInt32(text, out _));
    }

    [Theory]
    [InlineData("19.90", "19.90")]
    [InlineData("5", "5")]
    [InlineData("-0.5", "-0.5")]
    public void Decimals_are_read(string text, string expected)
    {
        Assert.True(StrictText.TryParseDecimal(text, out var value));
        Assert.Equal(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), value);
    }

    [Theory]
    [InlineData("1\u0000")]
    [InlineData("+1")]
    [InlineData(".5")]
    [InlineData("1.")]
    [InlineData("1,5")]
    [InlineData("1e2")]
    [InlineData("1.2.3")]
    [InlineData(" 1")]
    [InlineData("")]
    public void Anything_else_is_no_decimal(string text) => Assert.False(StrictText.TryParseDecimal(text, out _));

    [Theory]
    [InlineData("2026-05-01T00:00:00Z", "2026-05-01T00:00:00+00:00")]
    [InlineData("2026-05-01T00:00:00.1234567Z", "2026-05-01T00:00:00.1234567+00:00")]
    [InlineData("2026-05-01T02:00:00+02:00", "2026-05-01T02:00:00+02:00")]
    [InlineData("2026-05-01T02:00:00.5-05:30", "2026-05-01T02:00:00.5-05:30")]
    public void Rfc_3339_date_times_are_read(string text, string expected)
    {
        Assert.True(StrictText.TryParseDateTimeOffset(text, out var value));
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), value);
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture).Offset, value.Offset);
    }

    [Theory]
    [InlineData("2026-05-01T00:00:00Z\u0000")]
    [InlineData(" 2026-05-01T00:00:00Z")]
    [InlineData("2026-05-01T00:00:00")]
    [InlineData("2026-05-01")]
    [InlineData("2026-05-01T00:00Z")]
    [InlineData("05/01/2026")]
    [InlineData("May 1 2026")]
    [InlineData("2026-02-30T00:00:00Z")]
    [InlineData("2026-01-01T00:00:00+14:01")]
    [InlineData("0001-01-01T00:00:00+14:00")]
    [InlineData("")]
    public void Anything_else_is_no_date_time(string text) => Assert.False(StrictText.TryParseDateTimeOffset(text, out _));

    [Theory]
    [InlineData("hour", TimeBucket.Hour)]
    [InlineData("MINUTE", TimeBucket.Minute)]
    [InlineData("Day", TimeBucket.Day)]
    public void Names_are_read_in_any_case(string text, TimeBucket expected)
    {
        Assert.True(StrictText.TryParseName<TimeBucket>(text, out var value));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("minute,hour")]
    [InlineData(" hour")]
    [InlineData("hour\u0000")]
    [InlineData("week")]
    [InlineData("")]
    [InlineData(null)]
    public void Anything_else_is_no_name(string? text) => Assert.False(StrictText.TryParseName<TimeBucket>(text, out _));
}
