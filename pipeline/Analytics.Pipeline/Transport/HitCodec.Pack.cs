using System.Buffers;

namespace Analytics.Pipeline.Transport;

/// <summary>
/// Version 3: several hit messages as one Kafka message (a pack). The shipper packs hits whose keys
/// map to the same partition, so the producer, the broker and the consumer pay their per-message
/// costs once per pack instead of once per hit. Layout: version byte, varint count, then count ×
/// (varint length, a version 1 or 2 message). Spool records stay single hits.
/// </summary>
public static partial class HitCodec
{
    public const byte PackVersion = 3;

    /// <summary>Most hits one pack may carry; a pack claiming more is poison.</summary>
    public const int MaxPackedHits = 10_000;

    public static bool IsPack(ReadOnlySpan<byte> message) => !message.IsEmpty && message[0] == PackVersion;

    /// <summary>The messages as one pack, in their order.</summary>
    public static byte[] Pack(IReadOnlyList<byte[]> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(messages.Count, MaxPackedHits);
        // Sized for the longest varints, so the writer never grows.
        var output = new ArrayBufferWriter<byte>(1 + 5 + messages.Sum(m => 5 + m.Length));
        output.Write([PackVersion]);
        WriteVarint(output, (uint)messages.Count);
        foreach (var message in messages)
        {
            WriteVarint(output, (uint)message.Length);
            output.Write(message);
        }
        return output.WrittenSpan.ToArray();
    }

    /// <summary>
    /// The hit messages inside a pack, each still to be decoded on its own (one bad hit does not spoil
    /// the others). Returns false with a short reason when the pack itself is malformed.
    /// </summary>
    public static bool TryUnpack(byte[] pack, List<ArraySegment<byte>> messages, out string reason)
    {
        ArgumentNullException.ThrowIfNull(pack);
        ArgumentNullException.ThrowIfNull(messages);
        messages.Clear();
        if (!IsPack(pack))
        {
            reason = "not a pack";
            return false;
        }
        var reader = new Reader(pack.AsSpan(1));
        try
        {
            var count = reader.Varint();
            if (count is 0 or > MaxPackedHits)
            {
                throw new FormatException("pack count out of range");
            }
            for (var i = 0; i < count; i++)
            {
                var length = reader.Varint();
                messages.Add(new ArraySegment<byte>(pack, 1 + reader.Skip(length), (int)length));
            }
            if (!reader.AtEnd)
            {
                throw new FormatException("trailing bytes");
            }
        }
        catch (FormatException ex)
        {
            messages.Clear();
            reason = ex.Message;
            return false;
        }
        reason = "";
        return true;
    }
}
