using Analytics.Pipeline.Transport;

namespace Analytics.Pipeline.Kafka;

/// <summary>How the collector groups hit messages into packs (<see cref="HitCodec.Pack"/>): by the partition of each hit's key.</summary>
public static class HitPacker
{
    /// <summary>Bytes of hits in one pack at most: well under librdkafka's and the brokers' default 1 MB message size.</summary>
    public const int MaxPackBytes = 256 * 1024;

    /// <summary>
    /// The messages grouped per partition, in their order: a partition's group as soon as it is full, then the
    /// rest by partition number. A group of one is sent as that hit's own message.
    /// </summary>
    public static IEnumerable<(int Partition, List<byte[]> Messages)> Group(IEnumerable<byte[]> messages, int partitions, int maxHitsPerPack)
    {
        ArgumentNullException.ThrowIfNull(messages);
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        var groups = new List<byte[]>?[partitions];
        var bytes = new int[partitions];
        foreach (var message in messages)
        {
            var partition = TopicPartitions.Of(HitCodec.KeyOf(message), partitions);
            var group = groups[partition] ??= [];
            group.Add(message);
            bytes[partition] += message.Length;
            if (group.Count == maxHitsPerPack || bytes[partition] >= MaxPackBytes)
            {
                yield return (partition, group);
                groups[partition] = null;
                bytes[partition] = 0;
            }
        }
        for (var partition = 0; partition < partitions; partition++)
        {
            if (groups[partition] is { } group)
            {
                yield return (partition, group);
            }
        }
    }

    /// <summary>The Kafka message of a group: the one hit as it is, or a pack.</summary>
    public static byte[] Value(List<byte[]> group) => group.Count == 1 ? group[0] : HitCodec.Pack(group);
}
