namespace Analytics.Pipeline.Transport;

/// <summary>Where the aggregator reads hits from. A batch is committed only after it was stored.</summary>
public interface IHitSource
{
    /// <summary>
    /// Waits for hits and returns up to <paramref name="maxHits"/> of them, or fewer once
    /// <paramref name="maxWait"/> has passed since the first one arrived. Returns an empty batch when
    /// cancelled or when the source is completed and drained.
    /// </summary>
    ValueTask<HitBatch> ReadBatchAsync(int maxHits, TimeSpan maxWait, CancellationToken cancellationToken);

    /// <summary>
    /// Called before the batch is stored (again if it fails). A source that must be able to replay exactly
    /// this batch after a crash (Kafka: same offsets, same deduplication token) records its range here.
    /// </summary>
    ValueTask PrepareAsync(HitBatch batch, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>Marks the batch as stored, so it is never delivered again.</summary>
    ValueTask CommitAsync(HitBatch batch, CancellationToken cancellationToken);

    /// <summary>
    /// True when this process's aggregator is the only reader of these hits (the embedded transports), so the visits
    /// stored open when it last stopped are its own to continue. False for Kafka: a partition's visitors move between
    /// aggregators, so its batches say which assignment they were read under (<see cref="HitBatch.Assignment"/>) and the
    /// visits are taken back at each new one.
    /// </summary>
    bool IsSoleReader => false;

    /// <summary>True once no more hits can arrive and all were read.</summary>
    bool IsCompleted { get; }
}
