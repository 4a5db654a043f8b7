namespace TemplatePack.Tests;

/// <summary>
/// One way a user instantiates a template, and what the result must be. Declared once in
/// <see cref="Scenarios"/>; every tier (snapshot, contract, build, generated tests, run) iterates it.
/// </summary>
/// <param name="Id">Stable identifier: names the snapshot file and the theory row.</param>
/// <param name="ShortName">The template's short name.</param>
/// <param name="Name">The `-n` value, chosen to torture name handling.</param>
/// <param name="Args">Template options exactly as a user types them.</param>
/// <param name="Database">Expected database provider: "postgres" or "sqlite".</param>
/// <param name="Cache">Expected cache: "redis" or "none".</param>
/// <param name="MetricsEndpoint">The app serves Prometheus metrics at /metrics.</param>
/// <param name="ObservabilityDeploy">The output has deploy/observability (dashboard, alert rules).</param>
/// <param name="Auth">Expected sign-in: "passkeys", "jwt" (passwords and tokens) or "none" (no security module).</param>
/// <param name="Rest">The app serves the REST API the run tier probes (false for gRPC-only or GraphQL-only apps).</param>
/// <param name="Checks">The slower checks this scenario stands for (each runs on a few scenarios, chosen here, not in the tiers).</param>
public sealed record Scenario(
    string Id,
    string ShortName,
    string Name,
    IReadOnlyList<string> Args,
    string Database,
    string Cache,
    bool MetricsEndpoint = false,
    bool ObservabilityDeploy = false,
    string Auth = "none",
    bool Rest = true,
    ScenarioChecks Checks = ScenarioChecks.None)
{
    /// <summary>Writes need a signed-in user, and the app needs a signing key to start.</summary>
    public bool UsesAuth => Auth != "none";

    public bool UsesPasskeys => Auth == "passkeys";

    public bool UsesPostgres => Database == "postgres";

    public bool UsesRedis => Cache == "redis";

    /// <summary>The identifier form of <see cref="Name"/> the template must use for projects and namespaces.</summary>
    public string CodeName => Naming.CodeName.From(Name);

    /// <summary>The prefix of the generated solution's own environment variables (<c>ACME_SHOP_TEST_POSTGRES</c>, ...).</summary>
    public string EnvironmentPrefix => CodeName.Replace('.', '_').ToUpperInvariant();

    public override string ToString() => Id;
}

/// <summary>Checks too slow to run on every scenario; the scenario list says which scenarios carry each.</summary>
[Flags]
public enum ScenarioChecks
{
    None = 0,

    /// <summary>The build-time OpenAPI document passes Redocly's lint.</summary>
    OpenApiLint = 1,

    /// <summary>The hand-written corpus and the schema-driven sweep of malformed requests.</summary>
    MalformedRequests = 2,

    /// <summary>The database is cut while clients write (needs PostgreSQL).</summary>
    DatabaseOutage = 4,
}
