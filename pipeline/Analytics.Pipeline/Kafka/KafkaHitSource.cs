using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
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

    /// <summary>Messages read from Kafka (hits and poison).</summary>
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

    public async ValueTask<HitBatch> ReadBatchAsync(int maxHits, TimeSpan maxWait, CancellationToken cancellationToken)
    {
        EnsureStarted();
        while (!cancellationToken.IsCancellationRequested)
        {
            ThrowIfFatal();
            Task arrived;
            PartitionBuffer? chosen = null;
            long first = 0;
            lock (_gate)
            {
                arrived = _arrived.Task;
                foreach (var buffer in _partitions.Values)
                {
                    if (buffer.InFlight == 0 && buffer.Entries.Count > 0
                        && (chosen is null || buffer.Entries.Peek().ArrivedAt < chosen.Entries.Peek().ArrivedAt))
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
                await WaitQuietly(arrived, maxWait, cancellationToken);
                continue;
            }

            long? end;
            try
            {
                end = await _batchLog.FindLastOffsetAsync(chosen.Partition.Topic, chosen.Partition.Partition.Value, first, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Without knowing whether this range was begun before, no batch may be cut: wait and look again.
                Log.BatchLogFailed(_logger, ex);
                await WaitQuietly(Task.Delay(TimeSpan.FromSeconds(1), cancellationToken), Timeout.InfiniteTimeSpan, cancellationToken);
                return HitBatch.Empty;
            }
            if (await FillAsync(chosen, first, end, maxHits, maxWait, cancellationToken) is { } batch)
            {
                return batch;
            }
        }
        return HitBatch.Empty;
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
        while (!cancellationToken.IsCancellationRequested)
        {
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
                    ready = entries.Count >= maxHits || wait <= TimeSpan.Zero;
                }
                if (ready)
                {
                    return Take(chosen, end, maxHits);
                }
                arrived = _arrived.Task;
            }
            await WaitQuietly(arrived, wait, cancellationToken);
        }
        return null;
    }

    /// <summary>Cuts the batch (the caller holds the lock).</summary>
    private static HitBatch Take(PartitionBuffer buffer, long? end, int maxHits)
    {
        var hits = new List<Hit>(Math.Min(buffer.Entries.Count, maxHits));
        var deadLetters = new List<Task>();
        long first = buffer.Entries.Peek().Offset;
        long last = first;
        while (buffer.Entries.TryPeek(out var entry) && (end is { } limit ? entry.Offset <= limit : hits.Count + deadLetters.Count < maxHits))
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
        return new HitBatch(hits, position.DeduplicationToken, position);
    }

    private void EnsureStarted()
    {
        if (_poller is not null)
        {
            return;
        }
        lock (_gate)
        {
            if (_poller is not null)
            {
                return;
            }
            _consumer = new ConsumerBuilder<byte[], byte[]>(KafkaClients.ConsumerConfig(_options))
                .SetLogHandler((_, message) => Log.Client(_logger, message.Level.ToString(), message.Facility, message.Message))
                .SetErrorHandler((_, error) => OnError(error))
                .SetPartitionsAssignedHandler((_, partitions) => OnAssigned(partitions))
                .SetPartitionsRevokedHandler((_, partitions) => OnRevoked(partitions))
                .SetPartitionsLostHandler((_, partitions) => OnLost(partitions))
                .Build();
            _consumer.Subscribe(_options.Topic);
            _poller = new Thread(Poll) { IsBackground = true, Name = "kafka-consumer" };
            _poller.Start();
        }
    }

    private void Poll()
    {
        var consumer = _consumer!;
        try
        {
            while (!_stopping && _fatal is null)
            {
                try
                {
                    if (consumer.Consume(PollTimeout) is { IsPartitionEOF: false } result)
                    {
                        Add(result);
                    }
                }
                catch (ConsumeException ex)
                {
                    if (ex.Error.IsFatal)
                    {
                        OnError(ex.Error);
                        break;
                    }
                    Log.ConsumeFailed(_logger, ex.Error.Code, ex.Error.Reason);
                }
                ServeCommits(consumer);
                Throttle(consumer);
            }
            ServeCommits(consumer);
        }
        finally
        {
            _pollerExited = true;
            if (!_abandon && _fatal is null)
            {
                // Leaves the group at once, so the partitions move to another aggregator without waiting for a timeout.
                consumer.Close();
            }
            consumer.Dispose();
            Log.Closed(_logger, _abandon);
        }
    }

    private void Add(ConsumeResult<byte[], byte[]> result)
    {
        Interlocked.Increment(ref _consumed);
        var value = result.Message.Value ?? [];
        Hit? hit = null;
        Task? deadLetter = null;
        if (HitCodec.TryDecode(value, out var decoded, out var reason))
        {
            hit = decoded;
        }
        else
        {
            Interlocked.Increment(ref _deadLettered);
            Log.Poison(_logger, result.Partition.Value, result.Offset.Value, reason);
            deadLetter = DeadLetterAsync(result, reason);
        }
        lock (_gate)
        {
            if (!_partitions.TryGetValue(result.TopicPartition, out var buffer))
            {
                return;
            }
            buffer.Entries.Enqueue(new Buffered(result.Offset.Value, hit, deadLetter, Stopwatch.GetTimestamp()));
            _arrived.TrySetResult();
            _arrived = NewSignal();
        }
    }

    private async Task DeadLetterAsync(ConsumeResult<byte[], byte[]> result, string reason)
    {
        var message = new Message<byte[], byte[]>
        {
            Key = result.Message.Key,
            Value = result.Message.Value,
            Headers = new Headers
            {
                { "reason", Encoding.UTF8.GetBytes(reason) },
                { "source", Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{result.Topic}/{result.Partition.Value}/{result.Offset.Value}")) },
            },
        };
        var delay = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            try
            {
                await _deadLetters.Producer.ProduceAsync(_options.DeadLetterTopic, message);
                return;
            }
            catch (ProduceException<byte[], byte[]> ex)
            {
                // The poison message's offset is not committed until it is safely in the dead-letter topic.
                Log.DeadLetterFailed(_logger, ex.Error.Code, ex.Error.Reason);
                await Task.Delay(delay);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
            }
        }
    }

    private void ServeCommits(IConsumer<byte[], byte[]> consumer)
    {
        while (_commits.TryDequeue(out var request))
        {
            var position = request.Position;
            bool owned;
            lock (_gate)
            {
                owned = _partitions.TryGetValue(position.Partition, out var buffer) && buffer.Generation == position.Generation;
                if (owned)
                {
                    buffer!.InFlight--;
                }
            }
            if (!owned)
            {
                // The partition moved on: its new owner re-reads this range and ClickHouse drops the repeat.
                Log.NotCommitted(_logger, position.Partition.Partition.Value, position.FirstOffset, position.LastOffset);
                request.Done.TrySetResult();
                continue;
            }
            try
            {
                consumer.StoreOffset(new TopicPartitionOffset(position.Partition, position.LastOffset + 1));
                consumer.Commit();
                Interlocked.Increment(ref _commitsDone);
            }
            catch (KafkaException ex)
            {
                // Stored but not committed: a later commit carries it, or a replay is deduplicated.
                Interlocked.Increment(ref _commitFailures);
                Log.CommitFailed(_logger, ex.Error.Code, ex.Error.Reason);
            }
            request.Done.TrySetResult();
        }
    }

    private void ServeCommitsAfterExit()
    {
        if (!_pollerExited)
        {
            return;
        }
        while (_commits.TryDequeue(out var request))
        {
            request.Done.TrySetResult();
        }
    }

    /// <summary>Pauses a partition whose buffer is full and resumes it once half drained (poll thread).</summary>
    private void Throttle(IConsumer<byte[], byte[]> consumer)
    {
        List<TopicPartition>? pause = null;
        List<TopicPartition>? resume = null;
        lock (_gate)
        {
            foreach (var buffer in _partitions.Values)
            {
                if (!buffer.Paused && buffer.Entries.Count >= _options.MaxBufferedPerPartition)
                {
                    buffer.Paused = true;
                    (pause ??= []).Add(buffer.Partition);
                }
                else if (buffer.Paused && buffer.Entries.Count < _options.MaxBufferedPerPartition / 2)
                {
                    buffer.Paused = false;
                    (resume ??= []).Add(buffer.Partition);
                }
            }
        }
        if (pause is not null)
        {
            consumer.Pause(pause);
        }
        if (resume is not null)
        {
            consumer.Resume(resume);
        }
    }

    private void OnAssigned(List<TopicPartition> partitions)
    {
        lock (_gate)
        {
            var generation = ++_generation;
            foreach (var partition in partitions)
            {
                _partitions[partition] = new PartitionBuffer(partition, generation);
            }
        }
        Log.Assigned(_logger, string.Join(',', partitions.Select(p => p.Partition.Value)));
    }

    /// <summary>Before giving partitions up, lets the batch in flight on them be stored and committed.</summary>
    private void OnRevoked(List<TopicPartitionOffset> partitions)
    {
        var revoked = partitions.Select(p => p.TopicPartition).ToHashSet();
        var deadline = Stopwatch.GetTimestamp() + (long)(_options.RevokeFlushTimeout.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline && !_abandon)
        {
            ServeCommits(_consumer!);
            lock (_gate)
            {
                if (!revoked.Any(p => _partitions.TryGetValue(p, out var buffer) && buffer.InFlight > 0))
                {
                    break;
                }
            }
            _commitRequested.Wait(TimeSpan.FromMilliseconds(20));
        }
        Drop(revoked);
        Log.Revoked(_logger, string.Join(',', revoked.Select(p => p.Partition.Value)));
    }

    private void OnLost(List<TopicPartitionOffset> partitions)
    {
        Drop(partitions.Select(p => p.TopicPartition).ToHashSet());
        Log.Lost(_logger, partitions.Count);
    }

    private void Drop(HashSet<TopicPartition> partitions)
    {
        lock (_gate)
        {
            foreach (var partition in partitions)
            {
                _partitions.Remove(partition);
            }
            _arrived.TrySetResult();
            _arrived = NewSignal();
        }
    }

    private void OnError(Error error)
    {
        if (error.IsFatal)
        {
            _fatal = error;
            Log.Fatal(_logger, error.Code, error.Reason);
            lock (_gate)
            {
                _arrived.TrySetResult();
            }
            return;
        }
        Log.ClientError(_logger, error.Code, error.Reason);
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

        [LoggerMessage(5305, LogLevel.Warning, "Poison message at partition {Partition} offset {Offset} ({Reason}): sent to the dead-letter topic")]
        public static partial void Poison(ILogger logger, int partition, long offset, string reason);

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
