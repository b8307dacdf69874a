using Analytics.Pipeline.Hits;

namespace Analytics.Pipeline.Transport;

/// <summary>
/// Hits read together from a source. <see cref="DeduplicationToken"/> names exactly this range of the
/// source (for Kafka: topic, partition and offsets), so a batch replayed after a crash is recognised.
/// </summary>
/// <param name="Hits">The hits, in source order.</param>
/// <param name="DeduplicationToken">Stable name of the range, or null when the source cannot replay.</param>
/// <param name="Position">Source-specific position to commit (offsets), or null.</param>
public sealed record HitBatch(IReadOnlyList<Hit> Hits, string? DeduplicationToken = null, object? Position = null)
{
    public static HitBatch Empty { get; } = new([]);

    public int Count => Hits.Count;

    /// <summary>
    /// Which assignment of the source's partitions these hits were read under (numbered from 1, later ones higher),
    /// when a partition's visitors move between aggregators (Kafka); null for a source that is their only reader.
    /// </summary>
    public int? Assignment { get; init; }
}
