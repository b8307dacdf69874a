using Analytics.Pipeline.Transport;

namespace Analytics.Host.Tests.Kafka;

/// <summary>What a hits topic holds counted in hits, as the collector ships them (a pack carries several).</summary>
public static class TopicHits
{
    /// <summary>The hit messages of a Kafka message: itself, or each hit of a pack.</summary>
    public static IEnumerable<byte[]> Unpack(byte[] value)
    {
        var packed = new List<ArraySegment<byte>>();
        return HitCodec.IsPack(value) && HitCodec.TryUnpack(value, packed, out _) ? packed.Select(hit => hit.ToArray()) : [value];
    }
}
