using TemplatePack.Tests.Templates;

namespace TemplatePack.Tests;

/// <summary>
/// One way a user instantiates a template, and what the result must be. Declared once in
/// <see cref="Scenarios"/>; every tier (snapshot, contract, build, generated tests, run) iterates it.
/// </summary>
/// <param name="Id">Stable identifier: names the snapshot file and the theory row.</param>
/// <param name="ShortName">The template's short name.</param>
/// <param name="Name">The `-n` value, chosen to torture name handling.</param>
/// <param name="Options">The options the user passes, typed; <see cref="Args"/> is how they are typed on the command line.</param>
/// <param name="Expect">
/// The choices the user must end up with (defaults and stack presets applied): stated here, independently of the
/// templates, so that the contract tier proves the defaults, "the cache follows the database" and "explicit options beat
/// the preset". Which files and packages follow from these choices is not stated here: <see cref="ModuleTable"/>
/// derives it from the modules' own declarations.
/// </param>
/// <param name="Checks">The slower checks this scenario stands for (each runs on a few scenarios, chosen here, not in the tiers).</param>
public sealed record Scenario(
    string Id,
    string ShortName,
    string Name,
    ScenarioOptions Options,
    ExpectedChoices Expect,
    ScenarioChecks Checks = ScenarioChecks.None)
{
    /// <summary>The options exactly as a user types them.</summary>
    public IReadOnlyList<string> Args => Options.ToArgs();

    /// <summary>Writes need a signed-in user, and the app needs a signing key to start.</summary>
    public bool UsesAuth => Expect.Auth != Auth.None;

    public bool UsesPasskeys => Expect.Auth == Auth.Passkeys;

    public bool UsesPostgres => Expect.Database == Database.Postgres;

    public bool UsesRedis => Expect.Cache == Cache.Redis;

    /// <summary>The app serves the REST API the run tier probes (false for gRPC-only or GraphQL-only apps).</summary>
    public bool Rest => Expect.Protocols.HasFlag(Protocols.Rest);

    public bool Grpc => Expect.Protocols.HasFlag(Protocols.Grpc);

    public bool GraphQL => Expect.Protocols.HasFlag(Protocols.GraphQL);

    /// <summary>The solution has the messaging module: an orders API, a worker and a broker.</summary>
    public bool Messaging => ModuleTable.Load().Includes(ShortName, "Messaging");

    /// <summary>The app serves Prometheus metrics at /metrics.</summary>
    public bool MetricsEndpoint => Expect.Exporter is Exporter.Prometheus or Exporter.Both;

    /// <summary>The output has deploy/observability (dashboard, alert rules): the template is made with the Observability module.</summary>
    public bool ObservabilityDeploy => ModuleTable.Load().Includes(ShortName, "Observability");

    /// <summary>The identifier form of <see cref="Name"/> the template must use for projects and namespaces.</summary>
    public string CodeName => Naming.CodeName.From(Name);

    /// <summary>The prefix of the generated solution's own environment variables (<c>ACME_SHOP_TEST_POSTGRES</c>, ...).</summary>
    public string EnvironmentPrefix => CodeName.Replace('.', '_').ToUpperInvariant();

    public override string ToString() => Id;
}

public enum Database { Postgres, Sqlite }

public enum Cache { Redis, None }

public enum Auth { Passkeys, Jwt, None }

public enum Exporter { Otlp, Prometheus, Both }

public enum Broker { Kafka, RabbitMq, Nats }

[Flags]
public enum Protocols { Rest = 1, Grpc = 2, GraphQL = 4 }

/// <summary>What a user passes to `dotnet new`; an unset option is not passed.</summary>
public sealed record ScenarioOptions(
    string? Stack = null,
    Database? Database = null,
    Cache? Cache = null,
    Exporter? Exporter = null,
    Auth? Auth = null,
    Protocols? Protocols = null,
    Broker? Broker = null)
{
    public static ScenarioOptions None { get; } = new();

    public IReadOnlyList<string> ToArgs()
    {
        var args = new List<string>();
        if (Stack is not null)
        {
            args.AddRange(["--stack", Stack]);
        }

        Add(args, "--database", Database);
        Add(args, "--cache", Cache);
        Add(args, "--exporter", Exporter);
        Add(args, "--auth", Auth);
        Add(args, "--broker", Broker);
        if (Protocols is { } protocols)
        {
            args.Add("--protocols");
            args.AddRange(ExpectedChoices.Choices(protocols));
        }

        return args;
    }

    private static void Add<T>(List<string> args, string option, T? value) where T : struct, Enum
    {
        if (value is { } choice)
        {
            args.AddRange([option, ExpectedChoices.Choice(choice)]);
        }
    }
}

/// <summary>
/// The choice of every option a module declares, as the generated solution must have it. A template that does not
/// offer an option still has its default (fullstack-api exports OTLP), which is what its modules read.
/// </summary>
public sealed record ExpectedChoices(
    Database Database = Database.Postgres,
    Cache Cache = Cache.Redis,
    Auth Auth = Auth.None,
    Exporter Exporter = Exporter.Otlp,
    Protocols Protocols = Protocols.Rest,
    Broker Broker = Broker.Kafka)
{
    /// <summary>The values of the modules' options, by option name, as module.json spells them (a list for protocols).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> ByOption => new Dictionary<string, IReadOnlyList<string>>
    {
        ["database"] = [Choice(Database)],
        ["cache"] = [Choice(Cache)],
        ["auth"] = [Choice(Auth)],
        ["exporter"] = [Choice(Exporter)],
        ["protocols"] = Choices(Protocols),
        ["broker"] = [Choice(Broker)],
    };

    /// <summary>A choice as `dotnet new` spells it: the enum name in lower case.</summary>
    public static string Choice<T>(T value) where T : struct, Enum => value.ToString().ToLowerInvariant();

    public static IReadOnlyList<string> Choices(Protocols protocols) =>
        [.. Enum.GetValues<Protocols>().Where(p => protocols.HasFlag(p)).Select(Choice)];
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
