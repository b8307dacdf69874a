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

    /// <summary>
    /// The acknowledged position: the newer valid slot of the checkpoint file, else the single-record
    /// file of earlier versions; null (ship everything again) when neither holds a valid one.
    /// </summary>
    private SpoolPosition? ReadCheckpoint()
    {
        var path = Path.Combine(Directory, CheckpointFile);
        if (File.Exists(path))
        {
            var bytes = File.ReadAllBytes(path);
            SpoolPosition? newest = null;
            foreach (var slot in CheckpointSlots)
            {
                if (bytes.Length >= slot + CheckpointSlotLength && ParseSlot(bytes.AsSpan((int)slot, CheckpointSlotLength)) is { } found
                    && found.Sequence >= _checkpointSequence)
                {
                    _checkpointSequence = found.Sequence;
                    newest = found.Position;
                }
            }
            // Both slots damaged: ship everything again (duplicates in Kafka are better than losses).
            return newest;
        }
        var legacy = Path.Combine(Directory, LegacyCheckpointFile);
        if (!File.Exists(legacy))
        {
            return null;
        }
        var old = File.ReadAllBytes(legacy);
        if (old.Length != 20 || Crc32.HashToUInt32(old.AsSpan(0, 16)) != BinaryPrimitives.ReadUInt32LittleEndian(old.AsSpan(16)))
        {
            return null;
        }
        return new SpoolPosition(BinaryPrimitives.ReadInt64LittleEndian(old), BinaryPrimitives.ReadInt64LittleEndian(old.AsSpan(8)));
    }

    /// <summary>
    /// Writes <paramref name="position"/> in place over the older of the two slots: one pwrite, where a
    /// new file and a rename cost five system calls and a directory update, up to a hundred times a
    /// second. A torn write can only damage the slot being written; the other still holds the previous
    /// checkpoint, so a crash leaves the old position or the new one, as the rename did.
    /// </summary>
    private void WriteCheckpoint(SpoolPosition position)
    {
        if (_checkpointHandle is null)
        {
            _checkpointHandle = File.OpenHandle(Path.Combine(Directory, CheckpointFile), FileMode.OpenOrCreate, FileAccess.ReadWrite);
            File.Delete(Path.Combine(Directory, LegacyCheckpointFile));
        }
        _checkpointSequence++;
        Span<byte> slot = stackalloc byte[CheckpointSlotLength];
        BinaryPrimitives.WriteInt64LittleEndian(slot, _checkpointSequence);
        BinaryPrimitives.WriteInt64LittleEndian(slot[8..], position.Segment);
        BinaryPrimitives.WriteInt64LittleEndian(slot[16..], position.Offset);
        BinaryPrimitives.WriteUInt32LittleEndian(slot[24..], Crc32.HashToUInt32(slot[..24]));
        RandomAccess.Write(_checkpointHandle, slot, CheckpointSlots[(int)(_checkpointSequence % 2)]);
    }

    private static (long Sequence, SpoolPosition Position)? ParseSlot(ReadOnlySpan<byte> slot) =>
        Crc32.HashToUInt32(slot[..24]) == BinaryPrimitives.ReadUInt32LittleEndian(slot[24..]) && BinaryPrimitives.ReadInt64LittleEndian(slot) > 0
            ? (BinaryPrimitives.ReadInt64LittleEndian(slot), new SpoolPosition(BinaryPrimitives.ReadInt64LittleEndian(slot[8..]), BinaryPrimitives.ReadInt64LittleEndian(slot[16..])))
            : null;
}
