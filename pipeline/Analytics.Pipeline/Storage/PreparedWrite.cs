using Analytics.Pipeline.Transport;

namespace Analytics.Pipeline.Storage;

/// <summary>
/// A batch made ready to store: its visits tracked and both inserts encoded. Writing it again after a
/// failure inserts exactly the same rows, so a retry never tracks the batch's hits twice.
/// </summary>
/// <param name="Batch">The hits as read (erased visitors' hits are left out of <paramref name="Hits"/>).</param>
/// <param name="DeduplicationToken">The batch's own token, or one made for this write: a retry after a
/// partial failure (hits stored, visits not) must not store the hits twice.</param>
/// <param name="Format">How <paramref name="Hits"/> and <paramref name="Sessions"/> are encoded.</param>
/// <param name="Hits">The batch's rows for the hits table.</param>
/// <param name="Sessions">The visits' -1/+1 rows for the sessions table (empty when no visit changed).</param>
/// <param name="ErasuresSeen">Erasures known when the batch was prepared (<see cref="ErasedVisitors.Version"/>).</param>
/// <param name="LeftOut">Positions in the batch of the hits left out as copies of stored ones.</param>
/// <param name="Replayed">The rows were fixed by an earlier attempt's record (<c>batch_writes</c>), which needs no new record.</param>
public sealed record PreparedWrite(
    HitBatch Batch, string DeduplicationToken, string Format, ReadOnlyMemory<byte> Hits, ReadOnlyMemory<byte> Sessions, long ErasuresSeen,
    IReadOnlyList<uint> LeftOut, bool Replayed)
{
    /// <summary>One of the visit states <see cref="Sessions"/> holds per partition, recorded with the batch (<see cref="VisitMark"/>).</summary>
    public IReadOnlyList<VisitMark> VisitMarks { get; init; } = [];
}
