namespace TemplatePack.Tests;

/// <summary>The declared scenario list. Adding a row here adds it to every tier (and needs an approved snapshot).</summary>
public static class Scenarios
{
    public static readonly IReadOnlyList<Scenario> All =
    [
        new("databases-default", "fullstack-databases", "Acme.Shop", [], Database: "postgres", Cache: "redis", Checks: ScenarioChecks.OpenApiLint | ScenarioChecks.DatabaseOutage),

        // The cache default follows the database: SQLite means a single-file app, so no Redis.
        new("databases-sqlite", "fullstack-databases", "My-App", ["--database", "sqlite"], Database: "sqlite", Cache: "none", Checks: ScenarioChecks.MalformedRequests),

        new("mvp-startup", "fullstack-mvp", "1st.App", ["--stack", "startup"], Database: "postgres", Cache: "redis", ObservabilityDeploy: true, Auth: "passkeys"),

        // Explicit options beat the preset's defaults.
        new("mvp-startup-overrides", "fullstack-mvp", "class", ["--stack", "startup", "--database", "sqlite", "--cache", "redis", "--exporter", "both", "--auth", "jwt", "--protocols", "rest", "graphql"], Database: "sqlite", Cache: "redis", MetricsEndpoint: true, ObservabilityDeploy: true, Auth: "jwt"),

        new("observability-default", "fullstack-observability", "Acme.Telemetry", [], Database: "postgres", Cache: "redis", MetricsEndpoint: true, ObservabilityDeploy: true),

        // Prometheus only: no OTLP exporter in the code or the packages.
        new("observability-prometheus-sqlite", "fullstack-observability", "Obs-Lite", ["--exporter", "prometheus", "--database", "sqlite"], Database: "sqlite", Cache: "none", MetricsEndpoint: true, ObservabilityDeploy: true),

        // Every protocol over one domain; the REST contract stays the one the run tier probes.
        new("api-all-protocols", "fullstack-api", "Acme.Api", ["--protocols", "rest", "grpc", "graphql"], Database: "postgres", Cache: "redis", Checks: ScenarioChecks.OpenApiLint | ScenarioChecks.MalformedRequests),

        // One protocol without REST: the solution must stand without the REST endpoints and their tests. (Names whose
        // first part is a library's root namespace, like Grpc.X or GraphQL.X, shadow that library: see the README.)
        new("api-grpc-sqlite", "fullstack-api", "Acme.Rpc", ["--protocols", "grpc", "--database", "sqlite"], Database: "sqlite", Cache: "none", Rest: false),
        new("api-graphql", "fullstack-api", "Acme.Graph", ["--protocols", "graphql"], Database: "postgres", Cache: "redis", Rest: false),

        // Passkeys first: Identity on PostgreSQL, the browser ceremony tested in Chromium by the generated tests.
        new("security-default", "fullstack-security", "Acme.Secure", [], Database: "postgres", Cache: "redis", Auth: "passkeys", Checks: ScenarioChecks.OpenApiLint | ScenarioChecks.MalformedRequests),

        // Passwords and tokens only, on SQLite: no passkey code, page or browser test.
        new("security-jwt-sqlite", "fullstack-security", "Jwt-Lite", ["--auth", "jwt", "--database", "sqlite"], Database: "sqlite", Cache: "none", Auth: "jwt"),
    ];

    public static Scenario Get(string id) =>
        All.SingleOrDefault(s => s.Id == id) ?? throw new ArgumentException($"No scenario '{id}' in {nameof(Scenarios)}.", nameof(id));

    /// <summary>Theory rows carry only the id, so test names read `Builds(scenarioId: "databases-sqlite")`.</summary>
    public static TheoryData<string> Ids() => new(All.Select(s => s.Id));

    /// <summary>The ids of the scenarios that carry <paramref name="check"/>.</summary>
    public static TheoryData<string> With(ScenarioChecks check) => new(All.Where(s => s.Checks.HasFlag(check)).Select(s => s.Id));

    public static IEnumerable<string> ShortNames => All.Select(s => s.ShortName).Distinct();
}
