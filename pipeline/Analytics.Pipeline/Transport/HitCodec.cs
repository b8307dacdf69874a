using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using Analytics.Pipeline.Hits;

namespace Analytics.Pipeline.Transport;

/// <summary>
/// The hit as a Kafka message (and a spool record): a versioned, compact binary layout described in
/// <c>schema/messages.md</c>. Chosen over JSON by measurement (<c>benchmarks/README.md</c>).
/// Version 1: version byte, hit ID, visitor ID, timestamp ticks, kind, flags, screen width, then the
/// strings in a fixed order as (varint length, UTF-8), then the props as a varint count of pairs.
/// Version 2 adds, after the props, a varint count of extension strings and the strings (fields declared
/// later, in <see cref="HitFields"/> order). The strings and extensions are generated (HitFields.g.cs).
/// </summary>
public static partial class HitCodec
{
    public const byte Version1 = 1;

    /// <summary>Version 1 plus the extension strings; written only when one of them is not empty.</summary>
    public const byte Version2 = 2;

    /// <summary>Longest string a message may carry; anything longer is a malformed (poison) message.</summary>
    public const int MaxStringBytes = 64 * 1024;

    private const int MaxProps = 256;
    private const int FixedBytes = 1 + 16 + 16 + 8 + 1 + 1 + 2;
    private const byte FlagNewVisitor = 1;
    private const byte FlagBot = 2;
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Writes <paramref name="hit"/> as a version 1 message, or version 2 when an extension string is set.</summary>
    public static void Encode(Hit hit, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(hit);
        ArgumentNullException.ThrowIfNull(output);
        var extended = !ExtensionsEmpty(hit);
        var head = output.GetSpan(FixedBytes);
        head[0] = extended ? Version2 : Version1;
        hit.HitId.TryWriteBytes(head[1..17], bigEndian: true, out _);
        hit.VisitorId.TryWriteBytes(head[17..33], bigEndian: true, out _);
        BinaryPrimitives.WriteInt64LittleEndian(head[33..41], hit.Timestamp.Ticks);
        head[41] = (byte)hit.Kind;
        head[42] = (byte)((hit.IsNewVisitor ? FlagNewVisitor : 0) | (hit.IsBot ? FlagBot : 0));
        BinaryPrimitives.WriteUInt16LittleEndian(head[43..45], hit.ScreenWidth);
        output.Advance(FixedBytes);

        WriteStrings(output, hit);
        WriteVarint(output, (uint)hit.Props.Count);
        foreach (var (key, value) in hit.Props)
        {
            WriteString(output, key);
            WriteString(output, value);
        }
        if (extended)
        {
            WriteExtensions(output, hit);
        }
    }

    /// <summary>The message as a new array (what the Kafka client takes).</summary>
    public static byte[] Encode(Hit hit)
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(1024);
        buffer.ResetWrittenCount();
        Encode(hit, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    /// <summary>
    /// The Kafka key of an encoded message: its visitor ID, so one visitor's hits stay in one partition
    /// and in order; an anonymous hit's own hit ID (spread evenly). Never random: a hit sent again (a
    /// collector restarted before it checkpointed what Kafka acknowledged) must land on the partition of
    /// its first copy, where the one aggregator owning it recognises the hit ID as stored.
    /// A message too short to carry either (poison for the aggregator) is keyed by its bytes' hash.
    /// </summary>
    public static byte[] KeyOf(ReadOnlySpan<byte> message)
    {
        var key = new byte[16];
        if (message.Length >= FixedBytes && message[0] is Version1 or Version2)
        {
            (message[17..33].ContainsAnyExcept((byte)0) ? message[17..33] : message[1..17]).CopyTo(key);
        }
        else
        {
            XxHash128.Hash(message, key);
        }
        return key;
    }

    /// <summary>
    /// Reads a message. Returns false with a short reason (never the message content) when it is
    /// empty, of an unknown version, truncated, too long or not valid UTF-8: a poison message.
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<byte> message, out Hit hit, out string reason)
    {
        hit = null!;
        if (message.IsEmpty)
        {
            reason = "empty message";
            return false;
        }
        var version = message[0];
        if (version is not (Version1 or Version2))
        {
            reason = "unknown version " + message[0];
            return false;
        }
        if (message.Length < FixedBytes)
        {
            reason = "truncated header";
            return false;
        }
        var ticks = BinaryPrimitives.ReadInt64LittleEndian(message[33..41]);
        if (ticks < DateTime.MinValue.Ticks || ticks > DateTime.MaxValue.Ticks)
        {
            reason = "timestamp out of range";
            return false;
        }
        var flags = message[42];
        var reader = new Reader(message[FixedBytes..]);
        try
        {
            hit = ReadStrings(ref reader, new Guid(message[1..17], bigEndian: true), new Guid(message[17..33], bigEndian: true),
                new DateTime(ticks, DateTimeKind.Utc));
            hit.Kind = (HitKind)message[41];
            hit.IsNewVisitor = (flags & FlagNewVisitor) != 0;
            hit.IsBot = (flags & FlagBot) != 0;
            hit.ScreenWidth = BinaryPrimitives.ReadUInt16LittleEndian(message[43..45]);
            var count = reader.Varint();
            if (count > MaxProps)
            {
                throw new FormatException("too many props");
            }
            if (count > 0)
            {
                var props = new Dictionary<string, string>((int)count);
                for (var i = 0; i < count; i++)
                {
                    props[reader.String()] = reader.String();
                }
                hit.Props = props;
            }
            if (version >= Version2)
            {
                ReadExtensions(ref reader, hit);
            }
            if (!reader.AtEnd)
            {
                throw new FormatException("trailing bytes");
            }
        }
        catch (Exception ex) when (ex is FormatException or DecoderFallbackException)
        {
            hit = null!;
            reason = ex is DecoderFallbackException ? "invalid UTF-8" : ex.Message;
            return false;
        }
        reason = "";
        return true;
    }

    private static void WriteString(IBufferWriter<byte> output, string value)
    {
        var length = Utf8.GetByteCount(value);
        WriteVarint(output, (uint)length);
        if (length > 0)
        {
            var span = output.GetSpan(length);
            Utf8.GetBytes(value, span);
            output.Advance(length);
        }
    }

    private static void WriteVarint(IBufferWriter<byte> output, uint value)
    {
        var span = output.GetSpan(5);
        var i = 0;
        while (value >= 0x80)
        {
            span[i++] = (byte)(value | 0x80);
            value >>= 7;
        }
        span[i++] = (byte)value;
        output.Advance(i);
    }

    private ref struct Reader(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private int _position;

        public readonly bool AtEnd => _position == _data.Length;

        /// <summary>Steps over <paramref name="length"/> bytes, returning where they began.</summary>
        public int Skip(uint length)
        {
            if (length > _data.Length - _position)
            {
                throw new FormatException("truncated");
            }
            var start = _position;
            _position += (int)length;
            return start;
        }

        public uint Varint()
        {
            uint value = 0;
            for (var shift = 0; shift < 35; shift += 7)
            {
                if (_position >= _data.Length)
                {
                    throw new FormatException("truncated");
                }
                var b = _data[_position++];
                value |= (uint)(b & 0x7F) << shift;
                if (b < 0x80)
                {
                    return value;
                }
            }
            throw new FormatException("bad length");
        }

        public string String()
        {
            var length = Varint();
            if (length > MaxStringBytes)
            {
                throw new FormatException("string too long");
            }
            if (length > _data.Length - _position)
            {
                throw new FormatException("truncated");
            }
            var value = length == 0 ? "" : Utf8.GetString(_data.Slice(_position, (int)length));
            _position += (int)length;
            return value;
        }
    }
}
