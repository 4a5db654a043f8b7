namespace TemplatePack.Tests;

/// <summary>The declared scenario list. Adding a row here adds it to every tier (and needs an approved snapshot).</summary>
public static class Scenarios
{
    public static readonly IReadOnlyList<Scenario> All =
    [
        new("databases-default", "fullstack-databases", "Acme.Shop", [], Database: "postgres", Cache: "redis"),

        // The cache default follows the database: SQLite means a single-file app, so no Redis.
        new("databases-sqlite", "fullstack-databases", "My-App", ["--database", "sqlite"], Database: "sqlite", Cache: "none"),

        new("mvp-startup", "fullstack-mvp", "1st.App", ["--stack", "startup"], Database: "postgres", Cache: "redis"),

        // Explicit options beat the preset's defaults.
        new("mvp-startup-overrides", "fullstack-mvp", "class", ["--stack", "startup", "--database", "sqlite", "--cache", "redis"], Database: "sqlite", Cache: "redis"),
    ];

    public static Scenario Get(string id) =>
        All.SingleOrDefault(s => s.Id == id) ?? throw new ArgumentException($"No scenario '{id}' in {nameof(Scenarios)}.", nameof(id));

    /// <summary>Theory rows carry only the id, so test names read `Builds(scenarioId: "databases-sqlite")`.</summary>
    public static TheoryData<string> Ids() => new(All.Select(s => s.Id));

    public static IEnumerable<string> ShortNames => All.Select(s => s.ShortName).Distinct();
}
