using System.Buffers.Binary;
using System.Text;
using Analytics.Pipeline.ClickHouse;

namespace Analytics.Pipeline;

/// <summary>
/// Reads values in the engine's RowBinary format, front to back, as <see cref="RowBinaryWriter"/> writes them. An
/// answer that ends inside a value is refused with a <see cref="ClickHouseException"/>; a caller that read all it
/// expected checks <see cref="AtEnd"/>, so a server's error text appended to an answer that had begun to stream is
/// refused too.
/// </summary>
/// <param name="bytes">The answer.</param>
/// <param name="what">What the answer is, for the error.</param>
internal ref struct RowBinaryReader(ReadOnlySpan<byte> bytes, string what)
{
    private readonly ReadOnlySpan<byte> _bytes = bytes;
    private int _offset;

    /// <summary>Whether every byte has been read.</summary>
    public readonly bool AtEnd => _offset == _bytes.Length;

    /// <summary>A length (LEB128), as arrays and strings begin.</summary>
    public ulong VarUInt()
    {
        ulong value = 0;
        for (var i = 0; i < 10; i++)
        {
            var b = Take(1)[0];
            value |= (ulong)(b & 0x7F) << (7 * i);
            if (b < 0x80)
            {
                return value;
            }
        }
        throw new ClickHouseException($"{what}: a length longer than ten bytes at byte {_offset}.");
    }

    /// <summary>A count of items that follow, each at least <paramref name="minBytes"/> long: a count the answer cannot hold is refused.</summary>
    public int Count(int minBytes)
    {
        var count = VarUInt();
        if (count > (ulong)(_bytes.Length - _offset) / (ulong)minBytes)
        {
            throw new ClickHouseException($"{what}: {count} items announced, {_bytes.Length - _offset} bytes left.");
        }
        return (int)count;
    }

    public string String()
    {
        var length = VarUInt();
        if (length > (ulong)(_bytes.Length - _offset))
        {
            throw new ClickHouseException($"{what}: a string of {length} bytes, {_bytes.Length - _offset} left.");
        }
        return Encoding.UTF8.GetString(Take((int)length));
    }

    /// <summary>A UUID: its two 64-bit halves, high half first, each little-endian.</summary>
    public Guid Uuid()
    {
        Span<byte> bigEndian = stackalloc byte[16];
        Take(16).CopyTo(bigEndian);
        bigEndian[..8].Reverse();
        bigEndian[8..].Reverse();
        return new Guid(bigEndian, bigEndian: true);
    }

    public bool Bool() => Take(1)[0] != 0;

    public ushort UInt16() => BinaryPrimitives.ReadUInt16LittleEndian(Take(2));

    public uint UInt32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4));

    /// <summary>A DateTime64(3): milliseconds since 1970, UTC.</summary>
    public DateTime DateTime64Milli() => DateTime.UnixEpoch.AddMilliseconds(BinaryPrimitives.ReadInt64LittleEndian(Take(8)));

    private ReadOnlySpan<byte> Take(int length)
    {
        if (length > _bytes.Length - _offset)
        {
            throw new ClickHouseException($"{what}: the answer ends at byte {_bytes.Length}, inside a value.");
        }
        var taken = _bytes.Slice(_offset, length);
        _offset += length;
        return taken;
    }
}
