using Confluent.Kafka;

namespace Analytics.Pipeline.Kafka;

/// <summary>
/// Where a Kafka batch came from: one partition, an inclusive offset range, the assignment it was read
/// under, and the dead-letter deliveries that must be done before its offsets may be committed.
/// </summary>
public sealed record KafkaBatchPosition(
    TopicPartition Partition,
    long FirstOffset,
    long LastOffset,
    int Generation,
    bool Replayed,
    IReadOnlyList<Task> DeadLetters)
{
    /// <summary>Names exactly this range, so a replay of it is recognised by ClickHouse.</summary>
    public string DeduplicationToken => $"{Partition.Topic}/{Partition.Partition.Value}/{FirstOffset}-{LastOffset}";
}
