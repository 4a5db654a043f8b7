using TemplatePack.Tests.Templates;

namespace TemplatePack.Tests.Tiers.Contract;

/// <summary>The harness's reading of module conditions, against the engine's meaning of each form modules use.</summary>
[Trait("Tier", "contract")]
public sealed class ConditionTests
{
    private static readonly Dictionary<string, bool> Flags = new() { ["UsePostgres"] = true, ["UseRedis"] = false, ["UseAuth"] = true };

    private static readonly Dictionary<string, IReadOnlyList<string>> Options = new()
    {
        ["protocols"] = ["rest", "grpc"],
        ["database"] = ["postgres"],
    };

    [Theory]
    [InlineData("(UsePostgres)", true)]
    [InlineData("(!UsePostgres)", false)]
    [InlineData("(!UsePostgres && !UseRedis)", false)]
    [InlineData("(!UsePostgres || !UseRedis)", true)]
    [InlineData("(UseAuth && (UseRedis || UsePostgres))", true)]
    [InlineData("(true)", true)]
    [InlineData("(false)", false)]
    [InlineData("({protocols} == \"grpc\")", true)]
    [InlineData("({protocols} == \"graphql\")", false)]
    [InlineData("(!({protocols} == \"rest\"))", false)]
    [InlineData("({database} != \"sqlite\")", true)]
    [InlineData("(\"rest\" == \"rest\")", true)]
    [InlineData("(\"rest\" == \"grpc\")", false)]
    public void Reads_the_forms_modules_write(string condition, bool expected) =>
        Assert.Equal(expected, Condition.Evaluate(condition, Flags, Options));

    [Theory]
    [InlineData("(UseUnknown)")]
    [InlineData("({unknown} == \"x\")")]
    [InlineData("(UsePostgres")]
    [InlineData("(UsePostgres & UseRedis)")]
    [InlineData("(\"rest\")")]
    public void Refuses_what_it_cannot_read(string condition) =>
        Assert.Throws<FormatException>(() => Condition.Evaluate(condition, Flags, Options));
}
