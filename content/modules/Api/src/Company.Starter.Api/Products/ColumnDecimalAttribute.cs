using System.ComponentModel.DataAnnotations;

namespace Company.Starter.Api.Products;

/// <summary>
/// A decimal that fits a <c>numeric(precision, scale)</c> column exactly: at most <paramref name="scale"/> digits after
/// the point (trailing zeros do not count) and at most <c>precision - scale</c> before it. The database would round
/// 1e-28 to 0.00 and answer 201 with a price it did not store; refusing it keeps what a write echoes equal to what is kept.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field | AttributeTargets.Parameter)]
public sealed class ColumnDecimalAttribute(int precision, int scale)
    : ValidationAttribute($"The {{0}} may have at most {scale} decimal places and {precision - scale} digits before the point.")
{
    public int Precision { get; } = precision;

    public int Scale { get; } = scale;

    public override bool IsValid(object? value) => value is not decimal number || Fits(number);

    /// <summary>Rounding to the column's scale changes nothing ("19.900" fits a scale of 2, "0.001" does not), and the rest fits.</summary>
    private bool Fits(decimal number) =>
        decimal.Round(number, Scale) == number && decimal.Truncate(decimal.Abs(number)) < Pow10(Precision - Scale);

    private static decimal Pow10(int exponent)
    {
        var result = 1m;
        for (var i = 0; i < exponent; i++)
        {
            result *= 10;
        }

        return result;
    }
}
