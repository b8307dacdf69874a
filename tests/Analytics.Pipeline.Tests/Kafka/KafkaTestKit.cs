using Analytics.Pipeline.Hits;
using Analytics.Pipeline.Kafka;
using Analytics.Pipeline.Transport;
using Confluent.Kafka;

namespace Analytics.Pipeline.Tests.Kafka;

/// <summary>Settings and helpers the Kafka tests share: small timeouts so a group forms and fails over fast.</summary>
public static class KafkaTestKit
{
    public static KafkaOptions Options(MockCluster cluster, string topic, string? group = null) => new()
    {
        BootstrapServers = cluster.BootstrapServers,
        Topic = topic,
        DeadLetterTopic = topic + ".dead-letter",
        DegradedAfter = TimeSpan.FromMilliseconds(500),
        RevokeFlushTimeout = TimeSpan.FromSeconds(2),
        Producer = new()
        {
            ["linger.ms"] = "1",
            ["compression.type"] = "lz4",
            ["message.timeout.ms"] = "0",
            ["reconnect.backoff.max.ms"] = "200",
        },
        Consumer = new()
        {
            ["group.id"] = group ?? "aggregators-" + Guid.NewGuid().ToString("N")[..8],
            ["auto.offset.reset"] = "earliest",
            ["session.timeout.ms"] = "6000",
            ["heartbeat.interval.ms"] = "500",
            ["reconnect.backoff.max.ms"] = "200",
        },
    };

    public static Hit NewHit(Random random, string site = "s") => new()
    {
        HitId = Guid.CreateVersion7(),
        SiteId = site,
        Timestamp = DateTime.UtcNow,
        VisitorId = random.Next(4) == 0 ? Guid.Empty : new Guid(RandomBytes(random, 16)),
        Path = "/" + random.Next(1000),
    };

    public static Random SeededRandom()
    {
        var seed = Environment.TickCount;
        TestContext.Out.WriteLine($"seed {seed}");
        return new Random(seed);
    }

    /// <summary>
    /// Reads every message of <paramref name="topic"/> (all partitions) until <paramref name="expected"/>
    /// arrived and then half a second passed without more (so extras are seen), or the deadline passed.
    /// </summary>
    public static List<ConsumeResult<byte[], byte[]>> ReadTopic(MockCluster cluster, string topic, int partitions, int expected, TimeSpan deadline) =>
        Read(cluster, topic, partitions, expected, deadline, _ => 1);

    /// <summary>
    /// Every hit of <paramref name="topic"/>, a pack's hits one by one, as <see cref="ReadTopic"/> reads messages
    /// (<paramref name="expected"/> counts hits).
    /// </summary>
    public static List<TopicHit> ReadHits(MockCluster cluster, string topic, int partitions, int expected, TimeSpan deadline) =>
        [.. Read(cluster, topic, partitions, expected, deadline, result => Unpack(result).Count).SelectMany(Unpack)];

    /// <summary>The hits of a message: itself, or each hit of a pack.</summary>
    public static List<TopicHit> Unpack(ConsumeResult<byte[], byte[]> result)
    {
        var value = result.Message.Value;
        var packed = new List<ArraySegment<byte>>();
        return HitCodec.IsPack(value) && HitCodec.TryUnpack(value, packed, out _)
            ? [.. packed.Select(hit => new TopicHit(result.Partition.Value, result.Offset.Value, result.Message.Key, hit.ToArray()))]
            : [new TopicHit(result.Partition.Value, result.Offset.Value, result.Message.Key, value)];
    }

    private static List<ConsumeResult<byte[], byte[]>> Read(MockCluster cluster, string topic, int partitions, int expected, TimeSpan deadline,
        Func<ConsumeResult<byte[], byte[]>, int> count)
    {
        using var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig
        {
            BootstrapServers = cluster.BootstrapServers,
            GroupId = "reader-" + Guid.NewGuid().ToString("N"),
            EnableAutoCommit = false,
        }).Build();
        consumer.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        var results = new List<ConsumeResult<byte[], byte[]>>();
        var counted = 0;
        var until = DateTime.UtcNow + deadline;
        DateTime? quietUntil = null;
        while (DateTime.UtcNow < until && (quietUntil is null || DateTime.UtcNow < quietUntil))
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(50)) is { IsPartitionEOF: false } result)
            {
                results.Add(result);
                counted += count(result);
                quietUntil = null;
            }
            if (counted >= expected)
            {
                quietUntil ??= DateTime.UtcNow.AddMilliseconds(500);
            }
        }
        consumer.Close();
        return results;
    }

    private static byte[] RandomBytes(Random random, int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }
}

/// <summary>One hit as read from a topic: where it was, its message's key, and its own bytes (a version 1 or 2 message).</summary>
public sealed record TopicHit(int Partition, long Offset, byte[] MessageKey, byte[] Value)
{
    public Hit Hit => HitCodec.TryDecode(Value, out var hit, out var reason) ? hit : throw new InvalidDataException(reason);
}
