using Analytics.Pipeline.Hits;
using Confluent.Kafka;

namespace Analytics.Pipeline.Kafka;

/// <summary>What the consumer read from one assigned partition and the aggregator has not taken yet.</summary>
internal sealed class PartitionBuffer(TopicPartition partition, int generation)
{
    public TopicPartition Partition { get; } = partition;

    /// <summary>Which assignment this is; a batch from an older one is not committed.</summary>
    public int Generation { get; } = generation;

    public Queue<Buffered> Entries { get; } = new();

    public bool Paused { get; set; }

    /// <summary>Batches of this partition handed out and not yet committed (at most one).</summary>
    public int InFlight { get; set; }
}

/// <summary>One consumed message: a decoded hit, or a poison message on its way to the dead-letter topic.</summary>
internal readonly record struct Buffered(long Offset, Hit? Hit, Task? DeadLetter, long ArrivedAt);
