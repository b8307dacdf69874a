using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.IO.Hashing;
using System.Threading.Channels;
using Microsoft.Win32.SafeHandles;

namespace Analytics.Pipeline.Spool;

/// <summary>
/// A local append-only log of records, made durable by group commit: appends queue up, one writer
/// thread writes all that are waiting and fsyncs once, then completes them all. One reader (the
/// shipper) reads them back in order and acknowledges what was shipped; a checkpoint file remembers
/// that, and whole segments before it are deleted. Survives SIGKILL: on open a torn tail is cut off.
/// The records of each group are also kept in memory (up to <see cref="SpoolOptions.ReadCacheBytes"/>)
/// so that a reader keeping up gets them without reading back what was just written; the file is read
/// only after a rewind, after a restart, or when the reader fell behind the cache.
/// Frame: uint32 length, uint32 CRC-32 of the payload, payload (little-endian).
/// </summary>
public sealed partial class HitSpool : IDisposable
{
    private const int FrameHeader = 8;
    private const string SegmentExtension = ".seg";
    // Two slots (sequence, segment, offset, CRC-32) in separate pages of one file, written alternately.
    private const string CheckpointFile = "checkpoints";
    private const string LegacyCheckpointFile = "checkpoint";
    private const int CheckpointSlotLength = 28;
    private static readonly long[] CheckpointSlots = [0, 4096];

    private const string LockFile = "lock";

    private readonly SpoolOptions _options;
    private readonly FileStream _lock;
    private readonly Channel<PendingAppend> _appends = Channel.CreateUnbounded<PendingAppend>(new() { SingleReader = true });
    private readonly ConcurrentQueue<PendingAppend> _appendPool = new();
    private readonly ConcurrentQueue<GroupCompletion> _completionPool = new();
    private readonly Thread _writer;
    private readonly Lock _gate = new();
    private readonly SortedDictionary<long, long> _segmentSizes = [];
    private readonly Queue<CachedRecord> _cache = new();
    private long _cacheBytes;
    private FileStream _writeFile;
    private long _writeSegment;
    private long _writeLength;
    private SpoolPosition _acknowledged;
    private long _pendingBytes;
    private long _queuedBytes;
    private TaskCompletionSource _spaceFreed = NewSignal();
    private TaskCompletionSource _dataArrived = NewSignal();
    private SpoolPosition _readAt;
    private SafeFileHandle? _readHandle;
    private long _readHandleSegment = -1;
    private SafeFileHandle? _checkpointHandle;
    private long _checkpointSequence;
    private long _appended;
    private long _fsyncs;
    private long _writeFailedAt;
    private long _fullWaits;
    private long _corrupt;
    private long _readFromFile;

    private HitSpool(SpoolOptions options)
    {
        _options = options;
        Directory = Path.GetFullPath(options.Path);
        System.IO.Directory.CreateDirectory(Directory);
        // One process per spool: a second collector on the same folder fails at start instead of interleaving.
        _lock = new FileStream(Path.Combine(Directory, LockFile), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        Recover();
        _writeFile = CreateSegment(_writeSegment);
        _writer = new Thread(WriteLoop) { IsBackground = true, Name = "spool-writer" };
        _writer.Start();
    }

    /// <summary>Opens the spool in <see cref="SpoolOptions.Path"/>, recovering what a previous process left.</summary>
    public static HitSpool Open(SpoolOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new HitSpool(options);
    }

    public string Directory { get; }

    /// <summary>Bytes appended (durable) and not yet acknowledged, frames included.</summary>
    public long PendingBytes
    {
        get
        {
            lock (_gate)
            {
                return _pendingBytes;
            }
        }
    }

    public long MaxBytes => _options.MaxBytes;

    /// <summary>Records made durable since open.</summary>
    public long Appended => Interlocked.Read(ref _appended);

    /// <summary>fsync calls since open; <see cref="Appended"/> / <see cref="Fsyncs"/> is the group size.</summary>
    public long Fsyncs => Interlocked.Read(ref _fsyncs);

    /// <summary>
    /// False from a failed write or fsync (a full or failing disk: its appends failed with the error) until a
    /// group is written again, or for at most <see cref="WritableAgainAfter"/> after it, so the readiness probe
    /// that reads this lets traffic back in to find out.
    /// </summary>
    public bool IsWritable => Interlocked.Read(ref _writeFailedAt) is var failed && (failed == 0 || Stopwatch.GetElapsedTime(failed) > WritableAgainAfter);

    /// <summary>How long a failed write keeps <see cref="IsWritable"/> false without a write that succeeded.</summary>
    public static readonly TimeSpan WritableAgainAfter = TimeSpan.FromSeconds(10);

    /// <summary>Appends that found the spool at its bound and had to wait for space.</summary>
    public long FullWaits => Interlocked.Read(ref _fullWaits);

    /// <summary>Records skipped because their checksum did not match (a damaged file).</summary>
    public long Corrupt => Interlocked.Read(ref _corrupt);

    /// <summary>
    /// Raised on the writer thread after each group is durable, with how long its write and fsync took:
    /// what every beacon of the group waited on the disk (on a shared disk, most of an answer's tail).
    /// Handlers must be quick; they delay the next group.
    /// </summary>
    public event Action<TimeSpan>? GroupCommitted;

    /// <summary>Records <see cref="Read"/> took from the files rather than from the in-memory cache.</summary>
    public long ReadFromFile => Interlocked.Read(ref _readFromFile);

    /// <summary>
    /// Completes once <paramref name="payload"/> is on disk (fsync). At the bound it waits for space
    /// until <paramref name="cancellationToken"/> fires; once queued it is always written.
    /// </summary>
    public ValueTask AppendAsync(byte[] payload, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(payload);
        long framed = payload.Length + FrameHeader;
        if (framed > _options.SegmentBytes)
        {
            throw new ArgumentException("The record is larger than a spool segment.", nameof(payload));
        }
        bool room;
        lock (_gate)
        {
            room = _pendingBytes + _queuedBytes + framed <= _options.MaxBytes;
            if (room)
            {
                _queuedBytes += framed;
            }
        }
        return room ? Enqueue(payload, framed) : AppendWhenSpaceAsync(payload, framed, cancellationToken);
    }

    private async ValueTask AppendWhenSpaceAsync(byte[] payload, long framed, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _fullWaits);
        while (true)
        {
            Task space;
            lock (_gate)
            {
                if (_pendingBytes + _queuedBytes + framed <= _options.MaxBytes)
                {
                    _queuedBytes += framed;
                    break;
                }
                space = _spaceFreed.Task;
            }
            await space.WaitAsync(cancellationToken);
        }
        await Enqueue(payload, framed);
    }

    /// <summary>Hands a record (its bytes already counted as queued) to the writer; completes once it is durable.</summary>
    private ValueTask Enqueue(byte[] payload, long framed)
    {
        var pending = PendingAppend.Rent(_appendPool, payload);
        if (!_appends.Writer.TryWrite(pending))
        {
            lock (_gate)
            {
                _queuedBytes -= framed;
            }
            return ValueTask.FromException(new ObjectDisposedException(nameof(HitSpool)));
        }
        return pending.Task;
    }

    /// <summary>Completes when there are durable records the reader has not read yet.</summary>
    public Task WaitForDataAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return HasUnread() ? Task.CompletedTask : _dataArrived.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Reads up to <paramref name="maxRecords"/> durable records after the last one read. One reader only.</summary>
    public int Read(List<SpoolRecord> into, int maxRecords)
    {
        ArgumentNullException.ThrowIfNull(into);
        var read = 0;
        Span<byte> header = stackalloc byte[FrameHeader];
        while (read < maxRecords)
        {
            long limit;
            long writeSegment;
            lock (_gate)
            {
                if (TakeCached() is { } cached)
                {
                    _readAt = cached.End;
                    into.Add(cached);
                    read++;
                    continue;
                }
                writeSegment = _writeSegment;
                limit = _readAt.Segment == writeSegment ? _writeLength : _segmentSizes.GetValueOrDefault(_readAt.Segment);
            }
            if (_readAt.Offset >= limit)
            {
                if (_readAt.Segment >= writeSegment)
                {
                    break;
                }
                _readAt = new SpoolPosition(_readAt.Segment + 1, 0);
                continue;
            }
            var handle = ReadHandle(_readAt.Segment);
            RandomAccess.Read(handle, header, _readAt.Offset);
            var length = BinaryPrimitives.ReadInt32LittleEndian(header);
            var crc = BinaryPrimitives.ReadUInt32LittleEndian(header[4..]);
            var payload = length >= 0 && _readAt.Offset + FrameHeader + length <= limit ? new byte[length] : null;
            if (payload is null || RandomAccess.Read(handle, payload, _readAt.Offset + FrameHeader) != length || Crc32.HashToUInt32(payload) != crc)
            {
                // Only a damaged disk gets here (torn tails are cut at open): skip the rest of the segment, counted.
                Interlocked.Increment(ref _corrupt);
                _readAt = new SpoolPosition(_readAt.Segment, limit);
                continue;
            }
            _readAt = new SpoolPosition(_readAt.Segment, _readAt.Offset + FrameHeader + length);
            into.Add(new SpoolRecord(payload, _readAt));
            Interlocked.Increment(ref _readFromFile);
            read++;
        }
        return read;
    }

    /// <summary>Where the next <see cref="Read"/> starts (the reader's position).</summary>
    public SpoolPosition ReadPosition => _readAt;

    /// <summary>Makes the reader start again after the last acknowledged record (after a failed shipment).</summary>
    public void Rewind()
    {
        lock (_gate)
        {
            _readAt = _acknowledged;
        }
    }

    /// <summary>Everything up to <paramref name="upTo"/> was shipped: persist that and free the space.</summary>
    public void Acknowledge(SpoolPosition upTo)
    {
        SpoolPosition previous;
        lock (_gate)
        {
            if (upTo <= _acknowledged)
            {
                return;
            }
            previous = _acknowledged;
            _pendingBytes -= BytesBetween(previous, upTo);
            _acknowledged = upTo;
            _spaceFreed.TrySetResult();
            _spaceFreed = NewSignal();
        }
        WriteCheckpoint(upTo);
        for (var segment = previous.Segment; segment < upTo.Segment; segment++)
        {
            lock (_gate)
            {
                _segmentSizes.Remove(segment);
            }
            if (_readHandleSegment == segment)
            {
                _readHandle?.Dispose();
                _readHandle = null;
                _readHandleSegment = -1;
            }
            File.Delete(SegmentPath(segment));
        }
    }

    public void Dispose()
    {
        _appends.Writer.TryComplete();
        _writer.Join();
        _writeFile.Dispose();
        _readHandle?.Dispose();
        _checkpointHandle?.Dispose();
        _lock.Dispose();
    }

    private void WriteLoop()
    {
        var group = new List<PendingAppend>();
        var buffer = new ArrayBufferWriter<byte>(1 << 20);
        var reader = _appends.Reader;
        while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            while (group.Count < _options.MaxGroupRecords && reader.TryRead(out var pending))
            {
                group.Add(pending);
            }
            buffer.ResetWrittenCount();
            foreach (var pending in group)
            {
                var header = buffer.GetSpan(FrameHeader);
                BinaryPrimitives.WriteInt32LittleEndian(header, pending.Payload.Length);
                BinaryPrimitives.WriteUInt32LittleEndian(header[4..], Crc32.HashToUInt32(pending.Payload));
                buffer.Advance(FrameHeader);
                buffer.Write(pending.Payload);
            }
            var bytes = buffer.WrittenCount;
            var started = Stopwatch.GetTimestamp();
            try
            {
                _writeFile.Write(buffer.WrittenSpan);
                _writeFile.Flush(flushToDisk: true);
            }
            catch (IOException ex)
            {
                // Nothing of this group counts as written: cut back what may have reached the file.
                Interlocked.Exchange(ref _writeFailedAt, Stopwatch.GetTimestamp());
                TryTruncate();
                lock (_gate)
                {
                    _queuedBytes -= bytes;
                }
                GroupCompletion.Dispatch(_completionPool, group, ex);
                group.Clear();
                continue;
            }
            GroupCommitted?.Invoke(Stopwatch.GetElapsedTime(started));
            Interlocked.Exchange(ref _writeFailedAt, 0);
            Interlocked.Increment(ref _fsyncs);
            Interlocked.Add(ref _appended, group.Count);
            lock (_gate)
            {
                Cache(group, _writeLength);
                _writeLength += bytes;
                _segmentSizes[_writeSegment] = _writeLength;
                _pendingBytes += bytes;
                _queuedBytes -= bytes;
                _dataArrived.TrySetResult();
                _dataArrived = NewSignal();
            }
            GroupCompletion.Dispatch(_completionPool, group, null);
            group.Clear();
            if (_writeLength >= _options.SegmentBytes)
            {
                RollSegment();
            }
        }
    }

    /// <summary>
    /// Keeps the durable records of a group (written from <paramref name="offset"/> of the write segment)
    /// for the reader. A full cache takes no more: the reader then reads those records from the file,
    /// and takes from the cache again once it reaches the records that are in it. Called under the gate.
    /// </summary>
    private void Cache(List<PendingAppend> group, long offset)
    {
        foreach (var pending in group)
        {
            var start = new SpoolPosition(_writeSegment, offset);
            long framed = FrameHeader + pending.Payload.Length;
            offset += framed;
            if (_cacheBytes + framed > _options.ReadCacheBytes)
            {
                continue;
            }
            _cache.Enqueue(new CachedRecord(start, new SpoolRecord(pending.Payload, new SpoolPosition(_writeSegment, offset))));
            _cacheBytes += framed;
        }
    }

    /// <summary>
    /// The cached record that starts where the reader is, if there is one; drops those the reader has
    /// passed (read, or skipped by a rewind's reread from the file). Called under the gate.
    /// </summary>
    private SpoolRecord? TakeCached()
    {
        while (_cache.TryPeek(out var head))
        {
            if (head.Start == _readAt)
            {
                DropCacheHead(head);
                return head.Record;
            }
            if (head.Start > _readAt)
            {
                return null;
            }
            DropCacheHead(head);
        }
        return null;
    }

    private void DropCacheHead(CachedRecord head)
    {
        _cache.Dequeue();
        _cacheBytes -= FrameHeader + head.Record.Payload.Length;
    }

    private void RollSegment()
    {
        var next = _writeSegment + 1;
        var file = CreateSegment(next);
        _writeFile.Dispose();
        lock (_gate)
        {
            _writeFile = file;
            _writeSegment = next;
            _writeLength = 0;
            _segmentSizes[next] = 0;
        }
    }

    private void TryTruncate()
    {
        try
        {
            _writeFile.SetLength(_writeLength);
            _writeFile.Position = _writeLength;
        }
        catch (IOException)
        {
            // The next group's write will fail too and report it.
        }
    }

    private long BytesBetween(SpoolPosition from, SpoolPosition to)
    {
        if (from.Segment == to.Segment)
        {
            return to.Offset - from.Offset;
        }
        var bytes = _segmentSizes.GetValueOrDefault(from.Segment) - from.Offset;
        foreach (var (segment, size) in _segmentSizes)
        {
            if (segment > from.Segment && segment < to.Segment)
            {
                bytes += size;
            }
        }
        return bytes + to.Offset;
    }

    private bool HasUnread() => BytesBetween(_readAt, new SpoolPosition(_writeSegment, _writeLength)) > 0;

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>A durable record kept for the reader, with where its frame starts.</summary>
    private readonly record struct CachedRecord(SpoolPosition Start, SpoolRecord Record);
}
