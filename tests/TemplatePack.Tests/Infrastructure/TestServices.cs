namespace TemplatePack.Tests.Infrastructure;

/// <summary>
/// The real services the slow tiers need, given as environment variables (eng/services.sh prints them).
/// A test that needs a missing one skips with a reason naming the variable: reported, never a silent pass.
/// </summary>
public static class TestServices
{
    public const string PostgresVariable = "FULLSTACK_TEST_POSTGRES";
    public const string RedisVariable = "FULLSTACK_TEST_REDIS";
    public const string RabbitMqVariable = "FULLSTACK_TEST_RABBITMQ";
    public const string NatsVariable = "FULLSTACK_TEST_NATS";

    /// <summary>An Npgsql connection string to a server where the role may CREATE DATABASE.</summary>
    public static string? Postgres => Read(PostgresVariable);

    /// <summary>A StackExchange.Redis configuration string, e.g. `127.0.0.1:6379`.</summary>
    public static string? Redis => Read(RedisVariable);

    /// <summary>An AMQP URI of a RabbitMQ server, e.g. `amqp://guest:guest@127.0.0.1:5672/`.</summary>
    public static string? RabbitMq => Read(RabbitMqVariable);

    /// <summary>The URL of a NATS server with JetStream, e.g. `nats://127.0.0.1:4222`.</summary>
    public static string? Nats => Read(NatsVariable);

    /// <summary>
    /// The broker variable a scenario's generated tests need, and its value: none for Kafka, whose tests run on
    /// librdkafka's mock cluster in their own process.
    /// </summary>
    public static (string Variable, string? Value)? BrokerOf(Scenario scenario) => !scenario.Messaging ? null : scenario.Expect.Broker switch
    {
        Broker.RabbitMq => (RabbitMqVariable, RabbitMq),
        Broker.Nats => (NatsVariable, Nats),
        _ => null,
    };

    public static string RequirePostgres() => Require(PostgresVariable, "an Npgsql connection string, e.g. Host=127.0.0.1;Port=5432;Username=fullstack;Password=fullstack;Database=postgres");

    public static string RequireRedis() => Require(RedisVariable, "a Redis endpoint, e.g. 127.0.0.1:6379");

    public static string RequireRabbitMq() => Require(RabbitMqVariable, "an AMQP URI, e.g. amqp://guest:guest@127.0.0.1:5672/");

    public static string RequireNats() => Require(NatsVariable, "a NATS URL with JetStream, e.g. nats://127.0.0.1:4222");

    private static string Require(string variable, string what)
    {
        var value = Read(variable);
        Assert.SkipWhen(value is null, $"{variable} is not set ({what}); run `source <(eng/services.sh --env)` to provide it.");
        return value!;
    }

    private static string? Read(string variable) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value ? value : null;
}
