namespace TemplatePack.Tests;

/// <summary>The declared scenario list. Adding a row here adds it to every tier (and needs an approved snapshot).</summary>
public static class Scenarios
{
    public static readonly IReadOnlyList<Scenario> All =
    [
        new("databases-default", "fullstack-databases", "Acme.Shop", ScenarioOptions.None, new(), Checks: ScenarioChecks.OpenApiLint | ScenarioChecks.DatabaseOutage),

        // The cache default follows the database: SQLite means a single-file app, so no Redis.
        new("databases-sqlite", "fullstack-databases", "My-App", new(Database: Database.Sqlite), new(Database.Sqlite, Cache.None), Checks: ScenarioChecks.MalformedRequests),

        new("mvp-startup", "fullstack-mvp", "1st.App", new(Stack: "startup"), new(Auth: Auth.Passkeys)),

        // Explicit options beat the preset's defaults.
        new("mvp-startup-overrides", "fullstack-mvp", "class",
            new("startup", Database.Sqlite, Cache.Redis, Exporter.Both, Auth.Jwt, Protocols.Rest | Protocols.GraphQL),
            new(Database.Sqlite, Cache.Redis, Auth.Jwt, Exporter.Both, Protocols.Rest | Protocols.GraphQL)),

        // Every optional module off: no accounts, no distributed cache, no database server, REST only. It must still
        // build and pass its own tests, so that a user who removes a module by its option is never left with a broken app.
        new("mvp-everything-off", "fullstack-mvp", "Bare.App",
            new("startup", Database.Sqlite, Cache.None, Auth: Auth.None, Protocols: Protocols.Rest),
            new(Database.Sqlite, Cache.None, Auth.None)),

        new("observability-default", "fullstack-observability", "Acme.Telemetry", ScenarioOptions.None, new(Exporter: Exporter.Both)),

        // Prometheus only: no OTLP exporter in the code or the packages.
        new("observability-prometheus-sqlite", "fullstack-observability", "Obs-Lite", new(Exporter: Exporter.Prometheus, Database: Database.Sqlite),
            new(Database.Sqlite, Cache.None, Exporter: Exporter.Prometheus)),

        // Every protocol over one domain; the REST contract stays the one the run tier probes.
        new("api-all-protocols", "fullstack-api", "Acme.Api", new(Protocols: Protocols.Rest | Protocols.Grpc | Protocols.GraphQL),
            new(Protocols: Protocols.Rest | Protocols.Grpc | Protocols.GraphQL), Checks: ScenarioChecks.OpenApiLint | ScenarioChecks.MalformedRequests),

        // One protocol without REST: the solution must stand without the REST endpoints and their tests. (Names whose
        // first part is a library's root namespace, like Grpc.X or GraphQL.X, shadow that library: see the README.)
        new("api-grpc-sqlite", "fullstack-api", "Acme.Rpc", new(Protocols: Protocols.Grpc, Database: Database.Sqlite),
            new(Database.Sqlite, Cache.None, Protocols: Protocols.Grpc)),
        new("api-graphql", "fullstack-api", "Acme.Graph", new(Protocols: Protocols.GraphQL), new(Protocols: Protocols.GraphQL)),

        // Passkeys first: Identity on PostgreSQL, the browser ceremony tested in Chromium by the generated tests.
        new("security-default", "fullstack-security", "Acme.Secure", ScenarioOptions.None, new(Auth: Auth.Passkeys),
            Checks: ScenarioChecks.OpenApiLint | ScenarioChecks.MalformedRequests),

        // Passwords and tokens only, on SQLite: no passkey code, page or browser test.
        new("security-jwt-sqlite", "fullstack-security", "Jwt-Lite", new(Auth: Auth.Jwt, Database: Database.Sqlite),
            new(Database.Sqlite, Cache.None, Auth.Jwt)),

        // The transactional outbox on each broker: Kafka (librdkafka's mock cluster here) with PostgreSQL and the Redis
        // notification stream; RabbitMQ on SQLite (no Redis: no notification stream); NATS JetStream on PostgreSQL.
        new("messaging-kafka", "fullstack-messaging", "Acme.Orders", ScenarioOptions.None, new(),
            Checks: ScenarioChecks.OpenApiLint | ScenarioChecks.MalformedRequests),
        new("messaging-rabbitmq-sqlite", "fullstack-messaging", "Order-Flow", new(Broker: Broker.RabbitMq, Database: Database.Sqlite),
            new(Database.Sqlite, Cache.None, Broker: Broker.RabbitMq)),
        new("messaging-nats", "fullstack-messaging", "Acme.Events", new(Broker: Broker.Nats), new(Broker: Broker.Nats)),
    ];

    public static Scenario Get(string id) =>
        All.SingleOrDefault(s => s.Id == id) ?? throw new ArgumentException($"No scenario '{id}' in {nameof(Scenarios)}.", nameof(id));

    /// <summary>Theory rows carry only the id, so test names read `Builds(scenarioId: "databases-sqlite")`.</summary>
    public static TheoryData<string> Ids() => new(All.Select(s => s.Id));

    /// <summary>The ids of the scenarios that carry <paramref name="check"/>.</summary>
    public static TheoryData<string> With(ScenarioChecks check) => new(All.Where(s => s.Checks.HasFlag(check)).Select(s => s.Id));

    public static IEnumerable<string> ShortNames => All.Select(s => s.ShortName).Distinct();
}
