using System.Collections.Concurrent;

namespace Analytics.Collector.Pipeline;

/// <summary>
/// Reusable timeout sources for the hand-off: a reset source keeps its timer, so after warm-up a hit
/// allocates no CancellationTokenSource and no timer.
/// </summary>
internal sealed class TimeoutPool
{
    private const int MaxPooled = 1024;

    private readonly ConcurrentQueue<CancellationTokenSource> _pool = new();
    private int _count;

    public CancellationTokenSource Rent(TimeSpan timeout)
    {
        if (_pool.TryDequeue(out var source))
        {
            Interlocked.Decrement(ref _count);
        }
        else
        {
            source = new CancellationTokenSource();
        }
        source.CancelAfter(timeout);
        return source;
    }

    /// <summary>Keeps the source unless it fired (a cancelled source cannot be reset) or the pool is full.</summary>
    public void Return(CancellationTokenSource source)
    {
        if (source.TryReset())
        {
            if (Interlocked.Increment(ref _count) <= MaxPooled)
            {
                _pool.Enqueue(source);
                return;
            }
            Interlocked.Decrement(ref _count);
        }
        source.Dispose();
    }
}
