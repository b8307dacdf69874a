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
        var length = 1 + VarintLength((uint)messages.Count);
        foreach (var message in messages)
        {
            length += VarintLength((uint)message.Length) + message.Length;
        }
        var pack = new byte[length];
        pack[0] = PackVersion;
        var position = WriteVarint(pack, 1, (uint)messages.Count);
        foreach (var message in messages)
        {
            position = WriteVarint(pack, position, (uint)message.Length);
            message.CopyTo(pack, position);
            position += message.Length;
        }
        return pack;
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

    private static int VarintLength(uint value)
    {
        var length = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            length++;
        }
        return length;
    }

    private static int WriteVarint(byte[] buffer, int position, uint value)
    {
        while (value >= 0x80)
        {
            buffer[position++] = (byte)(value | 0x80);
            value >>= 7;
        }
        buffer[position++] = (byte)value;
        return position;
    }
}
