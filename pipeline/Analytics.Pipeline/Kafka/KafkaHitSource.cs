using System.Collections.Concurrent;
using System.Diagnostics;
using Analytics.Pipeline.Hits;
using Analytics.Pipeline.Transport;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Analytics.Pipeline.Kafka;

/// <summary>
/// The aggregator's Kafka transport: one consumer in the group, polled by a thread of its own so the
/// aggregator stays in the group however long a ClickHouse write takes (full partitions are paused,
/// not abandoned). Each batch holds one partition's consecutive offsets; its offsets are stored and
/// committed only in <see cref="CommitAsync"/>, after ClickHouse accepted it. Poison messages go to
/// the dead-letter topic with the reason and their offsets are committed with the batch around them.
/// </summary>
public sealed partial class KafkaHitSource : IHitSource, IDisposable
{
    private static readonly TimeSpan PollTimeout = TimeSpan.FromMilliseconds(50);

    private readonly KafkaOptions _options;
    private readonly KafkaBatchLog _batchLog;
    private readonly KafkaProducer _deadLetters;
    private readonly ILogger<KafkaHitSource> _logger;
    private readonly Lock _gate = new();
    private readonly Dictionary<TopicPartition, PartitionBuffer> _partitions = [];
    private readonly ConcurrentQueue<CommitRequest> _commits = new();
    private readonly SemaphoreSlim _commitRequested = new(0);

    // The poll thread's scratch lists (Add runs on that thread only).
    private readonly List<Buffered> _entries = [];
    private readonly List<ArraySegment<byte>> _packed = [];
    private TaskCompletionSource _arrived = NewSignal();
    private IConsumer<byte[], byte[]>? _consumer;
    private Thread? _poller;
    private volatile bool _stopping;
    private volatile bool _abandon;
    private volatile bool _pollerExited;
    private volatile Error? _fatal;
    private int _generation;
    private long _consumed;
    private long _deadLettered;
    private long _commitsDone;
    private long _commitFailures;

    public KafkaHitSource(IOptions<KafkaOptions> options, KafkaBatchLog batchLog, KafkaProducer deadLetters, ILogger<KafkaHitSource> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _batchLog = batchLog;
        _deadLetters = deadLetters;
        _logger = logger;
    }

    /// <summary>Hits read from Kafka (a pack counts its hits), and poison messages.</summary>
    public long Consumed => Interlocked.Read(ref _consumed);

    /// <summary>Poison messages sent to the dead-letter topic.</summary>
    public long DeadLettered => Interlocked.Read(ref _deadLettered);

    public long Commits => Interlocked.Read(ref _commitsDone);

    public long CommitFailures => Interlocked.Read(ref _commitFailures);

    /// <summary>Partitions this aggregator owns now.</summary>
    public int AssignedPartitions
    {
        get
        {
            lock (_gate)
            {
                return _partitions.Count;
            }
        }
    }

    /// <summary>A Kafka topic never completes.</summary>
    public bool IsCompleted => false;

    /// <summary>
    /// Once <paramref name="cancellationToken"/> is cancelled (the aggregator is stopping), what was already
    /// read is still handed out, batch by batch and without waiting, so the aggregator stores it before it
    /// stops; an empty batch means nothing more can be cut.
    /// </summary>
    public async ValueTask<HitBatch> ReadBatchAsync(int maxHits, TimeSpan maxWait, CancellationToken cancellationToken)
    {
        EnsureStarted();
        HashSet<TopicPartition>? uncuttable = null;
        while (true)
        {
            ThrowIfFatal();
            var draining = cancellationToken.IsCancellationRequested;
            Task arrived;
            PartitionBuffer? chosen = null;
            long first = 0;
            lock (_gate)
            {
                arrived = _arrived.Task;
                foreach (var buffer in _partitions.Values)
                {
                    if (buffer.InFlight == 0 && buffer.Entries.Count > 0
                        && (chosen is null || buffer.Entries.Peek().ArrivedAt < chosen.Entries.Peek().ArrivedAt)
                        && !(draining && uncuttable is not null && uncuttable.Contains(buffer.Partition)))
                    {
                        chosen = buffer;
                    }
                }
                if (chosen is not null)
                {
                    first = chosen.Entries.Peek().Offset;
                }
            }
            if (chosen is null)
            {
                if (draining)
                {
                    return HitBatch.Empty;
                }
                await WaitQuietly(arrived, maxWait, cancellationToken);
                continue;
            }

            long? end;
            try
            {
                end = await _batchLog.FindLastOffsetAsync(chosen.Partition.Topic, chosen.Partition.Partition.Value, first,
                    draining ? CancellationToken.None : cancellationToken);
            }
            catch (OperationCanceledException) when (!draining && cancellationToken.IsCancellationRequested)
            {
                // Stopping: look again, draining what was read.
                continue;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Without knowing whether this range was begun before, no batch may be cut: wait and look again.
                Log.BatchLogFailed(_logger, ex);
                if (draining)
                {
                    return HitBatch.Empty;
                }
                await WaitQuietly(Task.Delay(TimeSpan.FromSeconds(1), cancellationToken), Timeout.InfiniteTimeSpan, cancellationToken);
                return HitBatch.Empty;
            }
            if (await FillAsync(chosen, first, end, maxHits, maxWait, cancellationToken) is { } batch)
            {
                return batch;
            }
            if (cancellationToken.IsCancellationRequested)
            {
                // Revoked, or a replay whose end was not read yet: the other partitions may still be drained.
                (uncuttable ??= []).Add(chosen.Partition);
            }
        }
    }

    public ValueTask PrepareAsync(HitBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return batch.Position is KafkaBatchPosition { Replayed: false } position
            ? new ValueTask(_batchLog.RecordAsync(position.Partition.Topic, position.Partition.Partition.Value, position.FirstOffset, position.LastOffset, cancellationToken))
            : ValueTask.CompletedTask;
    }

    /// <summary>Stores and commits the batch's offsets (after its dead letters were delivered).</summary>
    public async ValueTask CommitAsync(HitBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Position is not KafkaBatchPosition position)
        {
            return;
        }
        foreach (var deadLetter in position.DeadLetters)
        {
            await deadLetter;
        }
        var request = new CommitRequest(position);
        _commits.Enqueue(request);
        _commitRequested.Release();
        if (_pollerExited)
        {
            ServeCommitsAfterExit();
        }
        await request.Done.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Leaves the group cleanly (consumer Close) after the poll thread stops.</summary>
    public void Dispose()
    {
        _stopping = true;
        _poller?.Join();
        ServeCommitsAfterExit();
        _commitRequested.Dispose();
    }

    /// <summary>Stops like a crashed process would: no commit, no clean leave. For fault tests.</summary>
    internal void Abandon()
    {
        _abandon = true;
        Dispose();
    }

    private async Task<HitBatch?> FillAsync(PartitionBuffer chosen, long first, long? end, int maxHits, TimeSpan maxWait, CancellationToken cancellationToken)
    {
        while (true)
        {
            // Stopping: cut from what was read, without waiting for more.
            var draining = cancellationToken.IsCancellationRequested;
            Task arrived;
            TimeSpan wait;
            lock (_gate)
            {
                if (!_partitions.TryGetValue(chosen.Partition, out var current) || current != chosen
                    || chosen.Entries.Count == 0 || chosen.Entries.Peek().Offset != first)
                {
                    // Revoked (or reassigned) while filling: start over.
                    return null;
                }
                var entries = chosen.Entries;
                bool ready;
                if (end is { } last)
                {
                    // A replay must end exactly where the first attempt ended, however long that takes.
                    ready = entries.Any(e => e.Offset >= last);
                    wait = Timeout.InfiniteTimeSpan;
                }
                else
                {
                    wait = maxWait - Stopwatch.GetElapsedTime(entries.Peek().ArrivedAt);
                    ready = draining || entries.Count >= maxHits || wait <= TimeSpan.Zero;
                }
                if (ready)
                {
                    return Take(chosen, end, maxHits);
                }
                if (draining)
                {
                    // A replay must not be cut short, and there is no more waiting.
                    return null;
                }
                arrived = _arrived.Task;
            }
            await WaitQuietly(arrived, wait, cancellationToken);
        }
    }

    /// <summary>Cuts the batch (the caller holds the lock).</summary>
    private static HitBatch Take(PartitionBuffer buffer, long? end, int maxHits)
    {
        var hits = new List<Hit>(Math.Min(buffer.Entries.Count, maxHits));
        var deadLetters = new List<Task>();
        long first = buffer.Entries.Peek().Offset;
        long last = first;
        // A pack's hits share its offset: the batch takes all of them or none, so it may pass maxHits by less than a pack.
        while (buffer.Entries.TryPeek(out var entry) && (end is { } limit ? entry.Offset <= limit : hits.Count + deadLetters.Count < maxHits || entry.Offset == last))
        {
            buffer.Entries.Dequeue();
            last = entry.Offset;
            if (entry.Hit is { } hit)
            {
                hits.Add(hit);
            }
            else if (entry.DeadLetter is { } deadLetter)
            {
                deadLetters.Add(deadLetter);
            }
        }
        buffer.InFlight++;
        var position = new KafkaBatchPosition(buffer.Partition, first, last, buffer.Generation, end is not null, deadLetters);
        return new HitBatch(hits, position.DeduplicationToken, position) { Assignment = buffer.Generation };
    }

    private void ThrowIfFatal()
    {
        if (_fatal is { } error)
        {
            throw new KafkaException(error);
        }
    }

    private static async Task WaitQuietly(Task task, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            await task.WaitAsync(timeout, cancellationToken);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            // The caller looks again.
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private sealed class CommitRequest(KafkaBatchPosition position)
    {
        public KafkaBatchPosition Position { get; } = position;

        public TaskCompletionSource Done { get; } = NewSignal();
    }

    private static partial class Log
    {
        [LoggerMessage(5301, LogLevel.Debug, "librdkafka {Level} {Facility}: {Message}")]
        public static partial void Client(ILogger logger, string level, string facility, string message);

        [LoggerMessage(5302, LogLevel.Warning, "Kafka consumer error {Code}: {Reason}")]
        public static partial void ClientError(ILogger logger, ErrorCode code, string reason);

        [LoggerMessage(5303, LogLevel.Critical, "Fatal Kafka consumer error {Code}: {Reason}; the aggregator stops")]
        public static partial void Fatal(ILogger logger, ErrorCode code, string reason);

        [LoggerMessage(5304, LogLevel.Warning, "Consume failed {Code}: {Reason}")]
        public static partial void ConsumeFailed(ILogger logger, ErrorCode code, string reason);

        [LoggerMessage(5305, LogLevel.Warning, "Poison message at {Source} ({Reason}): sent to the dead-letter topic")]
        public static partial void Poison(ILogger logger, string source, string reason);

        [LoggerMessage(5306, LogLevel.Warning, "Sending a poison message to the dead-letter topic failed {Code}: {Reason}; retrying")]
        public static partial void DeadLetterFailed(ILogger logger, ErrorCode code, string reason);

        [LoggerMessage(5307, LogLevel.Information, "Batch {First}-{Last} of partition {Partition} was stored but not committed: the partition was revoked")]
        public static partial void NotCommitted(ILogger logger, int partition, long first, long last);

        [LoggerMessage(5308, LogLevel.Warning, "Offset commit failed {Code}: {Reason}")]
        public static partial void CommitFailed(ILogger logger, ErrorCode code, string reason);

        [LoggerMessage(5309, LogLevel.Information, "Assigned partitions {Partitions}")]
        public static partial void Assigned(ILogger logger, string partitions);

        [LoggerMessage(5310, LogLevel.Information, "Revoked partitions {Partitions}")]
        public static partial void Revoked(ILogger logger, string partitions);

        [LoggerMessage(5311, LogLevel.Warning, "Lost {Count} partitions")]
        public static partial void Lost(ILogger logger, int count);

        [LoggerMessage(5312, LogLevel.Warning, "Looking up the batch log in ClickHouse failed; retrying")]
        public static partial void BatchLogFailed(ILogger logger, Exception exception);

        [LoggerMessage(5313, LogLevel.Information, "Kafka consumer closed (abandoned: {Abandoned})")]
        public static partial void Closed(ILogger logger, bool abandoned);
    }
}
