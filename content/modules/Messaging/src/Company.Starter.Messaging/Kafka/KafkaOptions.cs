using System.ComponentModel.DataAnnotations;

namespace Company.Starter.Messaging.Kafka;

/// <summary>
/// The <c>Messaging:Kafka</c> section: how the worker talks to Kafka. The address is the connection string
/// <c>ConnectionStrings:kafka</c> (bootstrap servers); credentials and TLS go in <see cref="Client"/>, from user-secrets
/// or the environment, never in appsettings.json.
/// </summary>
public sealed class KafkaOptions : IValidatableObject
{
    public const string SectionName = "Messaging:Kafka";

    /// <summary>
    /// The bootstrap servers (<c>host:port[,host:port...]</c>). Left empty, it is read from <c>ConnectionStrings:kafka</c>.
    /// </summary>
    [Required(ErrorMessage = "Set ConnectionStrings:kafka (or Messaging:Kafka:BootstrapServers) to the Kafka bootstrap servers, e.g. localhost:9092.")]
    public string? BootstrapServers { get; set; }

    /// <summary>
    /// How long a publish may wait for the broker's acknowledgement, retries included (librdkafka's
    /// <c>message.timeout.ms</c>, whose default of 5 minutes would hold the relay that long when the broker is down).
    /// After it the publish fails, the events stay in the outbox and the relay tries again.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00", ErrorMessage = "Messaging:Kafka:MessageTimeout must be between 1 second and 10 minutes.")]
    public TimeSpan MessageTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long the producer waits to fill a batch (<c>linger.ms</c>). The relay publishes a batch at a time and waits
    /// for its acknowledgements, so a short linger costs little throughput and keeps latency low.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:01", ErrorMessage = "Messaging:Kafka:Linger must be between 0 and 1 second.")]
    public TimeSpan Linger { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>
    /// How long the group coordinator waits for a silent consumer before it hands the consumer's partitions to another
    /// member (<c>session.timeout.ms</c>). The broker bounds it (<c>group.min/max.session.timeout.ms</c>, 6 s to 30 min by default).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:06", "00:30:00", ErrorMessage = "Messaging:Kafka:SessionTimeout must be between 6 seconds and 30 minutes.")]
    public TimeSpan SessionTimeout { get; set; } = TimeSpan.FromSeconds(45);

    /// <summary>
    /// The longest the consumer may take with one batch (<c>max.poll.interval.ms</c>): past it the consumer is taken out
    /// of the group and its partitions are handed to another member. Retries with backoff happen inside, so it must be at
    /// least twice <c>Messaging:Consumer:MaxBatchSize</c> x the retry budget of one message (checked at start, see
    /// <see cref="KafkaRetryBudget"/>): with the defaults, 100 x 3 s. A consumer that hangs is noticed after this long.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:10", "01:00:00", ErrorMessage = "Messaging:Kafka:MaxHandleTime must be between 10 seconds and 1 hour.")]
    public TimeSpan MaxHandleTime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long the readiness check waits for the cluster's metadata before it reports the broker down.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00", ErrorMessage = "Messaging:Kafka:HealthCheckTimeout must be between 100 ms and 1 minute.")]
    public TimeSpan HealthCheckTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Whether the transport creates the topics it publishes to and consumes from (the orders topic and its dead-letter
    /// topic) with <see cref="TopicPartitions"/> partitions. Production clusters often disable broker-side auto-creation
    /// (<c>auto.create.topics.enable=false</c>); then either leave this on (the app's principal needs the CreateTopics
    /// ACL) or create the topics beforehand and turn it off. With it off, topics the broker auto-creates get the
    /// broker's defaults (<c>num.partitions</c>).
    /// </summary>
    public bool CreateTopics { get; set; } = true;

    /// <summary>
    /// The partitions of a topic the transport creates: the most consumers of one group that can work in parallel.
    /// Events of one key always go to the same partition, so their order holds whatever the count.
    /// </summary>
    [Range(1, 10_000, ErrorMessage = "Messaging:Kafka:TopicPartitions must be between 1 and 10000.")]
    public int TopicPartitions { get; set; } = 3;

    /// <summary>The replication factor of a topic the transport creates; -1 takes the broker's <c>default.replication.factor</c>.</summary>
    [Range(-1, 100, ErrorMessage = "Messaging:Kafka:TopicReplicationFactor must be -1 (the broker's default) or between 1 and 100.")]
    public short TopicReplicationFactor { get; set; } = -1;

    /// <summary>
    /// Further librdkafka properties for every client (producer, consumers, admin), e.g. <c>security.protocol</c>,
    /// <c>sasl.mechanism</c>, <c>sasl.username</c>, <c>sasl.password</c>, <c>ssl.ca.location</c>. They cannot weaken
    /// the delivery settings the transport relies on (idempotence, <c>acks=all</c>, manual offset storing): those are set after.
    /// </summary>
    public Dictionary<string, string> Client { get; set; } = [];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (TopicReplicationFactor == 0)
        {
            yield return new ValidationResult(
                "Messaging:Kafka:TopicReplicationFactor must be -1 (the broker's default) or between 1 and 100.",
                [nameof(TopicReplicationFactor)]);
        }
    }
}
