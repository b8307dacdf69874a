using System.Threading.Channels;
using Analytics.Pipeline.Hits;

namespace Analytics.Pipeline.Transport;

/// <summary>The embedded transport: a bounded in-memory queue between collector and aggregator.</summary>
public sealed class InProcessQueue : IHitSink, IHitSource
{
    private readonly Channel<Hit> _channel;

    public InProcessQueue(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
        _channel = Channel.CreateBounded<Hit>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
        });
    }

    public int Capacity { get; }

    public int Count => _channel.Reader.Count;

    public bool IsHealthy => Count < Capacity;

    public bool IsCompleted => _channel.Reader.Completion.IsCompleted;

    /// <summary>The one aggregator of this process reads it.</summary>
    public bool IsSoleReader => true;

    /// <summary>Waits while the queue is full (back-pressure), so an acknowledged hit is never dropped.</summary>
    public ValueTask WriteAsync(Hit hit, CancellationToken cancellationToken) =>
        _channel.Writer.WriteAsync(hit, cancellationToken);

    /// <summary>No more hits will be written; the reader drains what is left.</summary>
    public void Complete() => _channel.Writer.TryComplete();

    /// <summary>
    /// Takes what is queued at once; waits for a first hit unless cancelled, then tops the batch up until
    /// <paramref name="maxWait"/> passes. A cancelled token still returns what is queued (drain on stop).
    /// </summary>
    public async ValueTask<HitBatch> ReadBatchAsync(int maxHits, TimeSpan maxWait, CancellationToken cancellationToken)
    {
        var reader = _channel.Reader;
        var hits = new List<Hit>();
        Drain(reader, hits, maxHits);
        if (hits.Count == 0)
        {
            try
            {
                if (!await reader.WaitToReadAsync(cancellationToken))
                {
                    return HitBatch.Empty;
                }
            }
            catch (OperationCanceledException)
            {
                return HitBatch.Empty;
            }
            Drain(reader, hits, maxHits);
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(maxWait);
        while (hits.Count < maxHits && !deadline.IsCancellationRequested)
        {
            try
            {
                if (!await reader.WaitToReadAsync(deadline.Token))
                {
                    break;
                }
            }
            catch (OperationCanceledException)
            {
                break;
            }
            Drain(reader, hits, maxHits);
        }
        return new HitBatch(hits);
    }

    private static void Drain(ChannelReader<Hit> reader, List<Hit> hits, int maxHits)
    {
        while (hits.Count < maxHits && reader.TryRead(out var hit))
        {
            hits.Add(hit);
        }
    }

    public ValueTask CommitAsync(HitBatch batch, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
