using System.Buffers.Binary;
using Analytics.Pipeline.Hits;
using Analytics.Pipeline.Transport;
using Microsoft.Extensions.Logging;

namespace Analytics.Pipeline.Spool;

/// <summary>
/// The embedded transport with the spool's guarantee (<c>Transport:Kind=Spool</c>): a beacon is
/// answered once its hit is fsynced to the spool, and the aggregator reads its batches straight from
/// the spool and acknowledges them only after ClickHouse stored them. A SIGKILL loses nothing: on
/// restart the unacknowledged hits are read again, and the batches that were being stored are rebuilt
/// with exactly their old ranges (remembered in an intent file), so their deduplication tokens match.
/// The aggregator prepares batch N+1 while batch N is written, so the intent file lists every batch
/// prepared and not yet acknowledged, not only the last one.
/// </summary>
public sealed partial class SpoolQueue(HitSpool spool, ILogger<SpoolQueue> logger) : IHitSink, IHitSource
{
    private const string IntentFile = "intent";

    private readonly string _intentPath = Path.Combine(spool.Directory, IntentFile);
    private const int IntentLength = 32;

    private readonly List<SpoolRecord> _records = [];
    private readonly List<Range> _prepared = [];
    private readonly Queue<Range> _replay = new();
    private bool _intentChecked;
    private long _undecodable;

    /// <summary>Records that did not decode (a damaged spool); skipped and counted.</summary>
    public long Undecodable => Interlocked.Read(ref _undecodable);

    public bool IsHealthy => spool.IsWritable && spool.PendingBytes < spool.MaxBytes / 10 * 9;

    public bool IsCompleted => false;

    /// <summary>The one aggregator of this process reads it (one process per spool folder).</summary>
    public bool IsSoleReader => true;

    public ValueTask WriteAsync(Hit hit, CancellationToken cancellationToken) =>
        spool.AppendAsync(HitCodec.Encode(hit), cancellationToken);

    /// <summary>
    /// Waits for hits unless cancelled, then tops the batch up until <paramref name="maxWait"/> passes.
    /// A cancelled token still returns what is spooled (drain on stop).
    /// </summary>
    public async ValueTask<HitBatch> ReadBatchAsync(int maxHits, TimeSpan maxWait, CancellationToken cancellationToken)
    {
        var start = spool.ReadPosition;
        _records.Clear();
        if (!_intentChecked)
        {
            _intentChecked = true;
            QueueReplays(start);
        }
        if (_replay.TryPeek(out var replay))
        {
            _replay.Dequeue();
            if (replay.Start == start)
            {
                // The previous process may have stored this batch before it died: rebuild it exactly.
                while (_records.Count == 0 || _records[^1].End < replay.End)
                {
                    if (spool.Read(_records, 1) == 0)
                    {
                        break;
                    }
                }
                return Batch(start);
            }
            _replay.Clear();
        }
        spool.Read(_records, maxHits);
        if (_records.Count == 0 && !cancellationToken.IsCancellationRequested)
        {
            await WaitQuietly(spool.WaitForDataAsync(cancellationToken), Timeout.InfiniteTimeSpan, cancellationToken);
            spool.Read(_records, maxHits);
        }
        if (_records.Count > 0 && _records.Count < maxHits && !cancellationToken.IsCancellationRequested)
        {
            var deadline = DateTime.UtcNow + maxWait;
            while (_records.Count < maxHits && DateTime.UtcNow < deadline && !cancellationToken.IsCancellationRequested)
            {
                await WaitQuietly(spool.WaitForDataAsync(cancellationToken), deadline - DateTime.UtcNow, cancellationToken);
                spool.Read(_records, maxHits - _records.Count);
            }
        }
        return _records.Count == 0 ? HitBatch.Empty : Batch(start);
    }

    /// <summary>
    /// Remembers the batch's range before it is stored, with the ranges of the batches prepared before it
    /// and not yet acknowledged (one may still be being written). A rename: the old list or the new, never half.
    /// </summary>
    public ValueTask PrepareAsync(HitBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Position is Range range)
        {
            if (!_prepared.Contains(range))
            {
                _prepared.Add(range);
            }
            var bytes = new byte[_prepared.Count * IntentLength];
            for (var i = 0; i < _prepared.Count; i++)
            {
                var slot = bytes.AsSpan(i * IntentLength, IntentLength);
                BinaryPrimitives.WriteInt64LittleEndian(slot, _prepared[i].Start.Segment);
                BinaryPrimitives.WriteInt64LittleEndian(slot[8..], _prepared[i].Start.Offset);
                BinaryPrimitives.WriteInt64LittleEndian(slot[16..], _prepared[i].End.Segment);
                BinaryPrimitives.WriteInt64LittleEndian(slot[24..], _prepared[i].End.Offset);
            }
            var temporary = _intentPath + ".tmp";
            File.WriteAllBytes(temporary, bytes);
            File.Move(temporary, _intentPath, overwrite: true);
        }
        return ValueTask.CompletedTask;
    }

    public ValueTask CommitAsync(HitBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Position is Range range)
        {
            spool.Acknowledge(range.End);
            // The next prepare rewrites the file without it; a stale entry is ignored at start (before the checkpoint).
            _prepared.RemoveAll(prepared => prepared.End <= range.End);
        }
        return ValueTask.CompletedTask;
    }

    private HitBatch Batch(SpoolPosition start)
    {
        var hits = new List<Hit>(_records.Count);
        foreach (var record in _records)
        {
            if (HitCodec.TryDecode(record.Payload, out var hit, out var reason))
            {
                hits.Add(hit);
            }
            else
            {
                Interlocked.Increment(ref _undecodable);
                Log.Undecodable(logger, reason);
            }
        }
        var range = new Range(start, _records[^1].End);
        return new HitBatch(hits, $"spool/{start.Segment}:{start.Offset}-{range.End.Segment}:{range.End.Offset}", range);
    }

    /// <summary>
    /// Queues the ranges a previous process prepared from <paramref name="start"/> (the checkpoint) on,
    /// as a chain of consecutive batches: they are cut again exactly so, whatever the batch size now.
    /// </summary>
    private void QueueReplays(SpoolPosition start)
    {
        if (!File.Exists(_intentPath))
        {
            return;
        }
        var bytes = File.ReadAllBytes(_intentPath);
        if (bytes.Length % IntentLength != 0)
        {
            return;
        }
        var ranges = new List<Range>();
        for (var at = 0; at < bytes.Length; at += IntentLength)
        {
            var slot = bytes.AsSpan(at, IntentLength);
            ranges.Add(new Range(
                new SpoolPosition(BinaryPrimitives.ReadInt64LittleEndian(slot), BinaryPrimitives.ReadInt64LittleEndian(slot[8..])),
                new SpoolPosition(BinaryPrimitives.ReadInt64LittleEndian(slot[16..]), BinaryPrimitives.ReadInt64LittleEndian(slot[24..]))));
        }
        var expected = start;
        foreach (var range in ranges.Where(r => r.Start >= start).OrderBy(r => r.Start))
        {
            if (range.Start != expected || range.End <= range.Start)
            {
                break;
            }
            _replay.Enqueue(range);
            expected = range.End;
        }
    }

    private static async Task WaitQuietly(Task task, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            await task.WaitAsync(timeout < TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan ? TimeSpan.Zero : timeout, cancellationToken);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            // The caller looks again.
        }
    }

    /// <summary>A batch's place in the spool: from after the last acknowledged record to its last record's end.</summary>
    private sealed record Range(SpoolPosition Start, SpoolPosition End);

    private static partial class Log
    {
        [LoggerMessage(5501, LogLevel.Error, "A spooled hit did not decode ({Reason}); skipped")]
        public static partial void Undecodable(ILogger logger, string reason);
    }
}
