using System.Diagnostics;
using System.Globalization;
using System.Text;
using Analytics.Pipeline.Hits;
using Analytics.Pipeline.Transport;
using Confluent.Kafka;

namespace Analytics.Pipeline.Kafka;

/// <summary>
/// The consumer's own thread: polls, decodes, buffers per partition, sends poison to the dead-letter
/// topic, serves offset commits, pauses full partitions, and handles the group's rebalances. Every
/// call on the consumer happens on this thread.
/// </summary>
public sealed partial class KafkaHitSource
{
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

    /// <summary>
    /// Buffers a message's hits: one, or every hit of a pack, all at the message's offset (a batch is
    /// never cut inside a message). A bad hit inside a good pack goes to the dead-letter topic alone.
    /// </summary>
    private void Add(ConsumeResult<byte[], byte[]> result)
    {
        var value = result.Message.Value ?? [];
        var arrivedAt = Stopwatch.GetTimestamp();
        _entries.Clear();
        if (!HitCodec.IsPack(value))
        {
            _entries.Add(Decode(result, value, null, arrivedAt));
        }
        else if (HitCodec.TryUnpack(value, _packed, out var reason))
        {
            for (var i = 0; i < _packed.Count; i++)
            {
                _entries.Add(Decode(result, _packed[i], i, arrivedAt));
            }
        }
        else
        {
            _entries.Add(Poison(result, value, null, reason, arrivedAt));
        }
        Interlocked.Add(ref _consumed, _entries.Count);
        lock (_gate)
        {
            if (!_partitions.TryGetValue(result.TopicPartition, out var buffer))
            {
                return;
            }
            foreach (var entry in _entries)
            {
                buffer.Entries.Enqueue(entry);
            }
            _arrived.TrySetResult();
            _arrived = NewSignal();
        }
    }

    /// <summary>A message's hit, or the hit at <paramref name="index"/> of a pack.</summary>
    private Buffered Decode(ConsumeResult<byte[], byte[]> result, ArraySegment<byte> value, int? index, long arrivedAt) =>
        HitCodec.TryDecode(value, out var hit, out var reason)
            ? new Buffered(result.Offset.Value, hit, null, arrivedAt)
            : Poison(result, value, index, reason, arrivedAt);

    /// <summary>
    /// Sends a message, or one hit of a pack (keyed as it would be alone), or a malformed pack whole, to the
    /// dead-letter topic unchanged.
    /// </summary>
    private Buffered Poison(ConsumeResult<byte[], byte[]> result, ArraySegment<byte> value, int? index, string reason, long arrivedAt)
    {
        var source = string.Create(CultureInfo.InvariantCulture, $"{result.Topic}/{result.Partition.Value}/{result.Offset.Value}");
        if (index is { } i)
        {
            source += "#" + i.ToString(CultureInfo.InvariantCulture);
        }
        Interlocked.Increment(ref _deadLettered);
        Log.Poison(_logger, source, reason);
        var key = index is null ? result.Message.Key : HitCodec.KeyOf(value);
        return new Buffered(result.Offset.Value, null, DeadLetterAsync(key, value.ToArray(), source, reason), arrivedAt);
    }

    private async Task DeadLetterAsync(byte[] key, byte[] value, string source, string reason)
    {
        var message = new Message<byte[], byte[]>
        {
            Key = key,
            Value = value,
            Headers = new Headers
            {
                { "reason", Encoding.UTF8.GetBytes(reason) },
                { "source", Encoding.UTF8.GetBytes(source) },
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
}
