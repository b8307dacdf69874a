using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using System.Text.Unicode;

namespace Analytics.Pipeline;

/// <summary>
/// Writes values in ClickHouse's RowBinary encoding (little-endian, strings as varint length + UTF-8).
/// Values go into a span taken from the output a chunk at a time, not one interface call per value
/// (that halved the encoders' time, benchmarks/README.md); call <see cref="Flush"/> when done.
/// </summary>
internal ref struct RowBinaryWriter(IBufferWriter<byte> output)
{
    private const int ChunkBytes = 64 * 1024;

    private readonly IBufferWriter<byte> _output = output;
    private Span<byte> _span;
    private int _written;

    public void UInt8(byte value) => Reserve(1)[0] = value;

    public void Bool(bool value) => UInt8(value ? (byte)1 : (byte)0);

    public void Int8(sbyte value) => UInt8(unchecked((byte)value));

    public void UInt16(ushort value) => BinaryPrimitives.WriteUInt16LittleEndian(Reserve(2), value);

    public void UInt32(uint value) => BinaryPrimitives.WriteUInt32LittleEndian(Reserve(4), value);

    /// <summary>DateTime64(3): milliseconds since the Unix epoch as Int64.</summary>
    public void DateTime64Milliseconds(DateTime value)
    {
        var milliseconds = (value.ToUniversalTime() - DateTime.UnixEpoch).Ticks / TimeSpan.TicksPerMillisecond;
        BinaryPrimitives.WriteInt64LittleEndian(Reserve(8), milliseconds);
    }

    /// <summary>UUID: its two 64-bit halves, high half first, each little-endian.</summary>
    public void Uuid(Guid value)
    {
        var span = Reserve(16);
        value.TryWriteBytes(span, bigEndian: true, out _);
        span[..8].Reverse();
        span[8..16].Reverse();
    }

    public void String(string value)
    {
        // Nearly every value is short: its UTF-8 (at most 3 bytes per char) then fits a one-byte length,
        // so it is encoded once, straight behind that byte.
        if (value.Length * 3 < 0x80)
        {
            Ensure(1 + (value.Length * 3));
            Utf8.FromUtf16(value, _span[(_written + 1)..], out _, out var bytes);
            _span[_written] = (byte)bytes;
            _written += 1 + bytes;
            return;
        }
        var length = Encoding.UTF8.GetByteCount(value);
        VarUInt((ulong)length);
        Encoding.UTF8.GetBytes(value, Reserve(length));
    }

    public void VarUInt(ulong value)
    {
        Ensure(10);
        while (value >= 0x80)
        {
            _span[_written++] = (byte)(value | 0x80);
            value >>= 7;
        }
        _span[_written++] = (byte)value;
    }

    /// <summary>Hands what was written to the output.</summary>
    public void Flush()
    {
        if (_written > 0)
        {
            _output.Advance(_written);
        }
        _span = default;
        _written = 0;
    }

    private Span<byte> Reserve(int bytes)
    {
        Ensure(bytes);
        var span = _span.Slice(_written, bytes);
        _written += bytes;
        return span;
    }

    private void Ensure(int bytes)
    {
        if (_span.Length - _written < bytes)
        {
            Flush();
            _span = _output.GetSpan(Math.Max(bytes, ChunkBytes));
        }
    }
}
