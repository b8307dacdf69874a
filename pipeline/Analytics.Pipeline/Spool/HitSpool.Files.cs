using System.Buffers.Binary;
using System.Globalization;
using System.IO.Hashing;
using Microsoft.Win32.SafeHandles;

namespace Analytics.Pipeline.Spool;

/// <summary>The spool's files: recovery at open, segment files, the checkpoint.</summary>
public sealed partial class HitSpool
{
    private void Recover()
    {
        var segments = System.IO.Directory.EnumerateFiles(Directory, "*" + SegmentExtension)
            .Select(path => long.TryParse(Path.GetFileNameWithoutExtension(path), NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : -1)
            .Where(id => id >= 0)
            .Order()
            .ToList();
        var checkpoint = ReadCheckpoint() ?? new SpoolPosition(segments.Count > 0 ? segments[0] : 1, 0);
        foreach (var segment in segments.Where(s => s < checkpoint.Segment))
        {
            File.Delete(SegmentPath(segment));
        }
        segments.RemoveAll(s => s < checkpoint.Segment);
        foreach (var segment in segments)
        {
            _segmentSizes[segment] = new FileInfo(SegmentPath(segment)).Length;
        }
        if (segments.Count > 0)
        {
            CutTornTail(segments[^1]);
        }
        if (!_segmentSizes.ContainsKey(checkpoint.Segment))
        {
            checkpoint = new SpoolPosition(segments.Count > 0 ? segments[0] : checkpoint.Segment + 1, 0);
        }
        // Appends always go to a fresh segment: recovered files are only ever read, never extended.
        _writeSegment = Math.Max(checkpoint.Segment, segments.Count > 0 ? segments[^1] + 1 : checkpoint.Segment);
        _segmentSizes[_writeSegment] = 0;
        _acknowledged = checkpoint;
        _readAt = checkpoint;
        _pendingBytes = BytesBetween(checkpoint, new SpoolPosition(_writeSegment, 0));
    }

    private void CutTornTail(long segment)
    {
        var path = SegmentPath(segment);
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite);
        var size = RandomAccess.GetLength(handle);
        Span<byte> header = stackalloc byte[FrameHeader];
        long valid = 0;
        while (valid + FrameHeader <= size)
        {
            RandomAccess.Read(handle, header, valid);
            var length = BinaryPrimitives.ReadInt32LittleEndian(header);
            if (length < 0 || valid + FrameHeader + length > size)
            {
                break;
            }
            var payload = new byte[length];
            RandomAccess.Read(handle, payload, valid + FrameHeader);
            if (Crc32.HashToUInt32(payload) != BinaryPrimitives.ReadUInt32LittleEndian(header[4..]))
            {
                break;
            }
            valid += FrameHeader + length;
        }
        if (valid < size)
        {
            RandomAccess.SetLength(handle, valid);
            RandomAccess.FlushToDisk(handle);
            _segmentSizes[segment] = valid;
        }
    }

    private SafeFileHandle ReadHandle(long segment)
    {
        if (_readHandleSegment != segment || _readHandle is null)
        {
            _readHandle?.Dispose();
            _readHandle = File.OpenHandle(SegmentPath(segment), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            _readHandleSegment = segment;
        }
        return _readHandle;
    }

    private FileStream CreateSegment(long segment)
    {
        var file = new FileStream(SegmentPath(segment), FileMode.CreateNew, FileAccess.Write, FileShare.Read | FileShare.Delete, bufferSize: 0);
        DirectorySync.Flush(Directory);
        return file;
    }

    private string SegmentPath(long segment) => Path.Combine(Directory, segment.ToString("D12", CultureInfo.InvariantCulture) + SegmentExtension);

    private SpoolPosition? ReadCheckpoint()
    {
        var path = Path.Combine(Directory, CheckpointFile);
        if (!File.Exists(path))
        {
            return null;
        }
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length != 20 || Crc32.HashToUInt32(bytes.AsSpan(0, 16)) != BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(16)))
        {
            // A damaged checkpoint: ship everything again (duplicates in Kafka are better than losses).
            return null;
        }
        return new SpoolPosition(BinaryPrimitives.ReadInt64LittleEndian(bytes), BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(8)));
    }

    private void WriteCheckpoint(SpoolPosition position)
    {
        Span<byte> bytes = stackalloc byte[20];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, position.Segment);
        BinaryPrimitives.WriteInt64LittleEndian(bytes[8..], position.Offset);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes[16..], Crc32.HashToUInt32(bytes[..16]));
        var path = Path.Combine(Directory, CheckpointFile);
        var temporary = path + ".tmp";
        using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0))
        {
            file.Write(bytes);
        }
        // A rename replaces the old checkpoint whole; a crash leaves the old one or the new one.
        File.Move(temporary, path, overwrite: true);
    }
}
