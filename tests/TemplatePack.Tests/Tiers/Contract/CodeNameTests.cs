using System.Text.RegularExpressions;
using TemplatePack.Tests.Fixture;
using TemplatePack.Tests.Naming;

namespace TemplatePack.Tests.Tiers.Contract;

/// <summary>Torture names (`My-App`, `1st.App`, `class`) become valid, predictable C# names.</summary>
[Trait("Tier", "contract")]
public sealed partial class CodeNameTests(TemplatePackFixture fixture)
{
    public static TheoryData<string> ScenarioIds => Scenarios.Ids();

    [Theory]
    [InlineData("Acme.Shop", "Acme.Shop")]
    [InlineData("My-App", "My_App")]
    [InlineData("1st.App", "_1st.App")]
    [InlineData("class", "_class")]
    public void Code_name_mapping(string name, string expected) => Assert.Equal(expected, CodeName.From(name));

    [Theory]
    [MemberData(nameof(ScenarioIds))]
    public async Task Solution_file_uses_the_code_name(string scenarioId)
    {
        var scenario = Scenarios.Get(scenarioId);
        var solution = await fixture.GenerateAsync(scenario);

        var solutions = Directory.GetFiles(solution.Directory, "*.slnx").Select(Path.GetFileName).ToList();

        Assert.Equal([scenario.CodeName + ".slnx"], solutions);
    }

    [Theory]
    [MemberData(nameof(ScenarioIds))]
    public async Task Project_and_namespace_names_are_valid_identifiers(string scenarioId)
    {
        var scenario = Scenarios.Get(scenarioId);
        var solution = await fixture.GenerateAsync(scenario);

        var projects = solution.Files("*.csproj")
            .Select(Path.GetFileNameWithoutExtension).OfType<string>().ToList();
        var namespaces = solution.Files("*.cs")
            .SelectMany(f => NamespaceDeclaration().Matches(File.ReadAllText(f)).Select(m => m.Groups["name"].Value))
            .Distinct()
            .ToList();

        Assert.NotEmpty(projects);
        Assert.Contains(scenario.CodeName + ".Api", projects);
        Assert.All(projects, p => Assert.True(CSharpIdentifier.IsValidDottedName(p), $"Project name '{p}' is not a valid C# name"));
        Assert.NotEmpty(namespaces);
        Assert.All(namespaces, n => Assert.True(CSharpIdentifier.IsValidDottedName(n), $"Namespace '{n}' is not a valid C# name"));
        // Some files legitimately use framework namespaces (e.g. ServiceDefaults extensions); the app's own must use the code name.
        Assert.Contains(namespaces, n => n == scenario.CodeName || n.StartsWith(scenario.CodeName + ".", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(ScenarioIds))]
    public async Task The_solution_names_its_own_environment_variables_and_none_of_the_harness(string scenarioId)
    {
        var scenario = Scenarios.Get(scenarioId);
        var solution = await fixture.GenerateAsync(scenario);

        var texts = solution.Files("*").Where(f => !f.EndsWith(".png", StringComparison.Ordinal)).Select(f => (File: f, Text: File.ReadAllText(f))).ToList();

        // FULLSTACK_* are the pack's own CI variables; a user's solution must not depend on them.
        Assert.DoesNotContain(texts, t => t.Text.Contains("FULLSTACK_", StringComparison.Ordinal));
        var variable = scenario.UsesPostgres ? "POSTGRES" : scenario.UsesRedis ? "REDIS" : null;
        if (variable is not null)
        {
            Assert.Contains(texts, t => t.Text.Contains($"\"{scenario.EnvironmentPrefix}_TEST_{variable}\"", StringComparison.Ordinal));
        }

        Assert.Matches("^[A-Z_][A-Z0-9_]*$", scenario.EnvironmentPrefix);
    }

    [GeneratedRegex(@"^\s*namespace\s+(?<name>[^\s;{]+)", RegexOptions.Multiline)]
    private static partial Regex NamespaceDeclaration();
}
