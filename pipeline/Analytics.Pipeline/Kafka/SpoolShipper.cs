using System.Diagnostics;
using Analytics.Pipeline.Spool;
using Analytics.Pipeline.Transport;
using Confluent.Kafka;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Analytics.Pipeline.Kafka;

/// <summary>
/// Ships the spool to Kafka in order: reads records, produces them (keyed by visitor ID; the hits of
/// one read bound for one partition packed into one message, <see cref="HitCodec.Pack"/>), and
/// acknowledges in the spool the longest prefix Kafka has acknowledged. While the broker is down the
/// producer keeps retrying what is in flight and the spool grows on disk; when it returns, shipping
/// resumes where it stopped. A refused delivery is sent again after a backoff (only that one: what
/// Kafka accepted is never sent twice, short of a crash before the spool's checkpoint was written).
/// </summary>
public sealed partial class SpoolShipper(
    HitSpool spool,
    KafkaProducer producer,
    IOptions<KafkaOptions> options,
    ILogger<SpoolShipper> logger) : BackgroundService
{
    private static readonly TimeSpan AckInterval = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(100);

    private readonly Queue<InFlight> _inFlight = new();
    private readonly TopicPartitions _partitions = new(producer.Producer, options.Value.Topic);
    private TaskCompletionSource _delivered = NewSignal();
    private long _lastProgress = Stopwatch.GetTimestamp();
    private long _shipped;
    private long _messages;
    private int _inFlightHits;
    private long _failures;
    private int _unsettled;
    private int _failed;

    /// <summary>Hits Kafka acknowledged since start.</summary>
    public long Shipped => Interlocked.Read(ref _shipped);

    /// <summary>Kafka messages acknowledged since start (a pack counts once).</summary>
    public long Messages => Interlocked.Read(ref _messages);

    /// <summary>Deliveries Kafka refused (each is sent again after a backoff).</summary>
    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>False while hits wait unshipped without progress, the spool nears its bound, or its disk fails writes.</summary>
    public bool IsHealthy =>
        Stopwatch.GetElapsedTime(Interlocked.Read(ref _lastProgress)) < options.Value.DegradedAfter
        && spool.IsWritable && spool.PendingBytes < spool.MaxBytes / 10 * 9;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        var settings = options.Value;
        if (settings.MaxHitsPerMessage > 1)
        {
            // Knowing the partitions before the first read lets a restart's backlog go out packed.
            await _partitions.AskAsync();
        }
        var records = new List<SpoolRecord>();
        var lastAck = Stopwatch.GetTimestamp();
        SpoolPosition? unacknowledged = null;
        var backoff = TimeSpan.FromMilliseconds(100);
        while (!stoppingToken.IsCancellationRequested)
        {
            _delivered = NewSignal();
            unacknowledged = Settle() ?? unacknowledged;
            if (unacknowledged is { } position && (_inFlight.Count == 0 || Stopwatch.GetElapsedTime(lastAck) >= AckInterval))
            {
                spool.Acknowledge(position);
                unacknowledged = null;
                lastAck = Stopwatch.GetTimestamp();
            }

            if (Volatile.Read(ref _failed) == 1)
            {
                if (Volatile.Read(ref _unsettled) == 0)
                {
                    // Everything sent has an answer: send again only what Kafka refused, so nothing it
                    // accepted is duplicated (those few hits then arrive after later ones).
                    await DelayQuietly(backoff, stoppingToken);
                    backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
                    Volatile.Write(ref _failed, 0);
                    var again = _inFlight.Where(e => e.State == InFlight.Failed).ToList();
                    Log.Resending(logger, again.Count, backoff);
                    foreach (var entry in again)
                    {
                        Send(entry);
                    }
                    continue;
                }
                await WaitQuietly(_delivered.Task, stoppingToken);
                continue;
            }

            var room = settings.MaxInFlight - _inFlightHits;
            records.Clear();
            if (room > 0 && spool.Read(records, room) > 0)
            {
                ProduceAll(settings, records);
                continue;
            }
            if (_inFlight.Count == 0)
            {
                // Idle: nothing waits to be shipped, so nothing is late.
                Interlocked.Exchange(ref _lastProgress, Stopwatch.GetTimestamp());
                backoff = TimeSpan.FromMilliseconds(100);
                await WaitQuietly(spool.WaitForDataAsync(stoppingToken), stoppingToken);
            }
            else
            {
                await WaitQuietly(room > 0 ? Task.WhenAny(_delivered.Task, spool.WaitForDataAsync(stoppingToken)) : _delivered.Task, stoppingToken);
            }
        }

        // Stopping: give what is in flight a moment to be acknowledged, and remember how far it got.
        producer.Producer.Flush(TimeSpan.FromSeconds(5));
        if ((Settle() ?? unacknowledged) is { } last)
        {
            spool.Acknowledge(last);
        }
        Log.Stopped(logger, Shipped, spool.PendingBytes);
    }

    /// <summary>
    /// Produces one read of the spool. Each partition's hits go as packs, in spool order; only the read's
    /// last message carries its end, so the spool moves past the read once every message of it (and
    /// before it) was acknowledged. Until the partition count is known, or with packing off, each hit
    /// goes alone and librdkafka places it by its key.
    /// </summary>
    private void ProduceAll(KafkaOptions settings, List<SpoolRecord> records)
    {
        var partitions = settings.MaxHitsPerMessage > 1 ? _partitions.Count : 0;
        if (partitions == 0)
        {
            foreach (var record in records)
            {
                Produce(settings.Topic, Partition.Any, [record.Payload], record.End);
            }
            return;
        }
        InFlight? latest = null;
        foreach (var (partition, pack) in HitPacker.Group(records.Select(r => r.Payload), partitions, settings.MaxHitsPerMessage))
        {
            latest = Produce(settings.Topic, partition, pack, null);
        }
        // Only this thread reads End (in Settle), so it may be set after the send.
        latest!.End = records[^1].End;
    }

    private InFlight Produce(string topic, Partition partition, List<byte[]> payloads, SpoolPosition? end)
    {
        var message = new Message<byte[], byte[]> { Key = HitCodec.KeyOf(payloads[0]), Value = HitPacker.Value(payloads) };
        var entry = new InFlight(new TopicPartition(topic, partition), message, payloads.Count, end, this);
        _inFlight.Enqueue(entry);
        _inFlightHits += entry.Hits;
        Send(entry);
        return entry;
    }

    private void Send(InFlight entry)
    {
        entry.Reset();
        Interlocked.Increment(ref _unsettled);
        try
        {
            producer.Producer.Produce(entry.Destination, entry.Message, entry.OnDelivered);
        }
        catch (ProduceException<byte[], byte[]> ex)
        {
            entry.Fail(ex.Error);
        }
    }

    /// <summary>Drops the acknowledged prefix of what is in flight; returns the position to acknowledge, if it moved.</summary>
    private SpoolPosition? Settle()
    {
        SpoolPosition? last = null;
        var messages = 0;
        var hits = 0;
        while (_inFlight.TryPeek(out var head) && head.State == InFlight.Delivered)
        {
            _inFlight.Dequeue();
            last = head.End ?? last;
            messages++;
            hits += head.Hits;
        }
        if (messages > 0)
        {
            _inFlightHits -= hits;
            Interlocked.Add(ref _shipped, hits);
            Interlocked.Add(ref _messages, messages);
            Interlocked.Exchange(ref _lastProgress, Stopwatch.GetTimestamp());
        }
        return last;
    }

    private void Settled(Error? error)
    {
        if (error is not null)
        {
            Interlocked.Increment(ref _failures);
            Volatile.Write(ref _failed, 1);
            Log.DeliveryFailed(logger, error.Code, error.Reason);
        }
        Interlocked.Decrement(ref _unsettled);
        Volatile.Read(ref _delivered).TrySetResult();
    }

    private static async Task WaitQuietly(Task task, CancellationToken cancellationToken)
    {
        try
        {
            await task.WaitAsync(Tick, cancellationToken);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            // A tick or a stop: the loop looks again.
        }
    }

    private static async Task DelayQuietly(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>One message on its way: a hit or a pack, and the spool position it completes, if any.</summary>
    private sealed class InFlight(TopicPartition destination, Message<byte[], byte[]> message, int hits, SpoolPosition? end, SpoolShipper shipper)
    {
        public const int Pending = 0;
        public const int Delivered = 1;
        public const int Failed = 2;

        private int _state;

        public TopicPartition Destination { get; } = destination;

        public Message<byte[], byte[]> Message { get; } = message;

        public int Hits { get; } = hits;

        public SpoolPosition? End { get; set; } = end;

        public void Reset() => Volatile.Write(ref _state, Pending);

        public int State => Volatile.Read(ref _state);

        public void OnDelivered(DeliveryReport<byte[], byte[]> report)
        {
            if (report.Error.IsError)
            {
                Fail(report.Error);
                return;
            }
            Volatile.Write(ref _state, Delivered);
            shipper.Settled(null);
        }

        public void Fail(Error error)
        {
            Volatile.Write(ref _state, Failed);
            shipper.Settled(error);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(5201, LogLevel.Warning, "Kafka refused a message ({Code}: {Reason}); the spool will send it again")]
        public static partial void DeliveryFailed(ILogger logger, ErrorCode code, string reason);

        [LoggerMessage(5202, LogLevel.Information, "Sending {Count} refused messages again (next wait {Delay})")]
        public static partial void Resending(ILogger logger, int count, TimeSpan delay);

        [LoggerMessage(5203, LogLevel.Information, "Spool shipper stopped after {Shipped} hits; {Pending} bytes wait in the spool")]
        public static partial void Stopped(ILogger logger, long shipped, long pending);
    }
}
