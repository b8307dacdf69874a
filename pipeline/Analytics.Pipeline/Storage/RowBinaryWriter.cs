using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Analytics.Pipeline.Storage;

/// <summary>Writes values in ClickHouse's RowBinary encoding (little-endian, strings as varint length + UTF-8).</summary>
internal ref struct RowBinaryWriter(IBufferWriter<byte> output)
{
    private readonly IBufferWriter<byte> _output = output;

    public readonly void UInt8(byte value)
    {
        _output.GetSpan(1)[0] = value;
        _output.Advance(1);
    }

    public readonly void Bool(bool value) => UInt8(value ? (byte)1 : (byte)0);

    public readonly void Int8(sbyte value) => UInt8(unchecked((byte)value));

    public readonly void UInt16(ushort value)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(_output.GetSpan(2), value);
        _output.Advance(2);
    }

    public readonly void UInt32(uint value)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(_output.GetSpan(4), value);
        _output.Advance(4);
    }

    /// <summary>DateTime64(3): milliseconds since the Unix epoch as Int64.</summary>
    public readonly void DateTime64Milliseconds(DateTime value)
    {
        var milliseconds = (value.ToUniversalTime() - DateTime.UnixEpoch).Ticks / TimeSpan.TicksPerMillisecond;
        BinaryPrimitives.WriteInt64LittleEndian(_output.GetSpan(8), milliseconds);
        _output.Advance(8);
    }

    /// <summary>UUID: its two 64-bit halves, high half first, each little-endian.</summary>
    public readonly void Uuid(Guid value)
    {
        var span = _output.GetSpan(16);
        value.TryWriteBytes(span, bigEndian: true, out _);
        span[..8].Reverse();
        span[8..16].Reverse();
        _output.Advance(16);
    }

    public readonly void String(string value)
    {
        var length = Encoding.UTF8.GetByteCount(value);
        VarUInt((ulong)length);
        var span = _output.GetSpan(length);
        Encoding.UTF8.GetBytes(value, span);
        _output.Advance(length);
    }

    public readonly void VarUInt(ulong value)
    {
        var span = _output.GetSpan(10);
        var i = 0;
        while (value >= 0x80)
        {
            span[i++] = (byte)(value | 0x80);
            value >>= 7;
        }
        span[i++] = (byte)value;
        _output.Advance(i);
    }
}
