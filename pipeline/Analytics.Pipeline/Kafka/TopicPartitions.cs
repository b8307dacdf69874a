using System.Diagnostics;
using System.IO.Hashing;
using Confluent.Kafka;

namespace Analytics.Pipeline.Kafka;

/// <summary>
/// The hits topic's partitions as the cluster reports them, refreshed in the background (a topic can
/// grow), so the shipper can pack hits bound for one partition. <see cref="Count"/> is 0 until known:
/// the shipper then sends single hits and lets librdkafka place them (and auto-create the topic where
/// the cluster allows it). <see cref="Of"/> is librdkafka's <c>consistent_random</c> partitioner, which
/// the producer is held to, so a hit lands on the same partition packed or not.
/// </summary>
public sealed class TopicPartitions(IProducer<byte[], byte[]> producer, string topic)
{
    private static readonly TimeSpan RefreshEvery = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan RetryEvery = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MetadataTimeout = TimeSpan.FromSeconds(5);

    private volatile int _count;
    private long _askedAt;
    private Task? _refresh;

    /// <summary>The partition count last reported (0 until one was), asking again when it is due. One caller thread at a time.</summary>
    public int Count
    {
        get
        {
            var due = _count == 0 ? RetryEvery : RefreshEvery;
            if ((_refresh is null || _refresh.IsCompleted) && Stopwatch.GetElapsedTime(_askedAt) >= due)
            {
                Ask();
            }
            return _count;
        }
    }

    /// <summary>Asks the cluster now and waits for its answer (at most the metadata timeout).</summary>
    public Task AskAsync() => Ask();

    private Task Ask()
    {
        _askedAt = Stopwatch.GetTimestamp();
        return _refresh = Task.Run(Refresh);
    }

    /// <summary>The partition of a message key among <paramref name="partitions"/>: CRC-32 of the key, modulo the count.</summary>
    public static int Of(ReadOnlySpan<byte> key, int partitions) => (int)(Crc32.HashToUInt32(key) % (uint)partitions);

    private void Refresh()
    {
        try
        {
            using var admin = new DependentAdminClientBuilder(producer.Handle).Build();
            var reported = admin.GetMetadata(topic, MetadataTimeout).Topics.SingleOrDefault(t => t.Topic == topic);
            if (reported is { Error.IsError: false, Partitions.Count: > 0 })
            {
                _count = reported.Partitions.Count;
            }
        }
        catch (KafkaException)
        {
            // Broker unreachable: keep the last count (a topic never loses partitions) and ask again later.
        }
    }
}
