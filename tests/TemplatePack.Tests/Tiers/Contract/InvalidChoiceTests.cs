using TemplatePack.Tests.Fixture;

namespace TemplatePack.Tests.Tiers.Contract;

/// <summary>A wrong choice value is refused by the engine (exit 127, its own message), never half-generated.</summary>
[Trait("Tier", "contract")]
public sealed class InvalidChoiceTests(TemplatePackFixture fixture)
{
    // The CLI's text on SDK 10: "'nonsense' is not a valid value for --stack. The possible values are:"
    private const string InvalidValueMessage = "'nonsense' is not a valid value for";

    public static TheoryData<string, string> InvalidChoices => new()
    {
        { "fullstack-mvp", "--stack" },
        { "fullstack-databases", "--database" },
        { "fullstack-databases", "--cache" },
    };

    [Theory]
    [MemberData(nameof(InvalidChoices))]
    public async Task Invalid_choice_exits_127_with_the_engine_message(string shortName, string option)
    {
        var hive = await fixture.HiveAsync();
        var output = fixture.NewScratchDirectory("invalid");

        var result = await hive.RunAsync(await fixture.InstantiationArgumentsAsync(shortName, "Invalid", output, [option, "nonsense"]));

        Assert.True(result.ExitCode == 127, $"Expected exit 127:\n{result.Describe()}");
        Assert.Contains($"{InvalidValueMessage} {option}", result.CombinedOutput, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(output));
    }
}
