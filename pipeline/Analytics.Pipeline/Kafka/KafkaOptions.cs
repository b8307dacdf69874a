using System.ComponentModel.DataAnnotations;

namespace Analytics.Pipeline.Kafka;

/// <summary>
/// The Kafka transport, section "Kafka". <see cref="Producer"/> and <see cref="Consumer"/> pass any
/// librdkafka setting through by its own name (e.g. "linger.ms", "security.protocol").
/// </summary>
public sealed record KafkaOptions
{
    public const string Section = "Kafka";

    /// <summary>host:port[,host:port...] of the cluster; applied to the producer and the consumer.</summary>
    [Required]
    public string BootstrapServers { get; init; } = "127.0.0.1:9092";

    [Required]
    [RegularExpression("^[A-Za-z0-9._-]{1,249}$")]
    public string Topic { get; init; } = "analytics.hits";

    /// <summary>Where poison messages go, with the reason in a header.</summary>
    [Required]
    [RegularExpression("^[A-Za-z0-9._-]{1,249}$")]
    public string DeadLetterTopic { get; init; } = "analytics.hits.dead-letter";

    /// <summary>ProducerConfig keys. enable.idempotence=true and acks=all are always enforced.</summary>
    public Dictionary<string, string> Producer { get; init; } = [];

    /// <summary>ConsumerConfig keys. enable.auto.offset.store=false and enable.auto.commit=false are always enforced.</summary>
    public Dictionary<string, string> Consumer { get; init; } = [];

    /// <summary>The collector reports itself degraded once unshipped hits wait this long without progress.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan DegradedAfter { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Most hits the collector packs into one Kafka message (hits of one spool read bound for one partition,
    /// schema/messages.md version 3). 1 sends every hit alone, as collectors before packs did: use it while
    /// aggregators that cannot read packs still consume the topic.
    /// </summary>
    [Range(1, Transport.HitCodec.MaxPackedHits)]
    public int MaxHitsPerMessage { get; init; } = 1000;

    /// <summary>Most spooled hits handed to the producer and not yet acknowledged by Kafka.</summary>
    [Range(1, 1_000_000)]
    public int MaxInFlight { get; init; } = 20_000;

    /// <summary>
    /// Most consumed hits buffered per partition before the partition is paused (decoded hits: this bounds the
    /// aggregator's memory under a backlog). Keep it at least Aggregator:BatchSize: a batch replayed after a crash
    /// must fit in the buffer whole.
    /// </summary>
    [Range(1, 10_000_000)]
    public int MaxBufferedPerPartition { get; init; } = 100_000;

    /// <summary>On revocation, how long to wait for batches of those partitions to be stored and committed.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan RevokeFlushTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
