using System.Globalization;
using System.Text;
using Analytics.Pipeline.ClickHouse;
using Analytics.Pipeline.Hits;

namespace Analytics.Pipeline.Storage;

/// <summary>
/// Exactly once on the hit ID: keeps out of a batch every hit already stored (found in
/// <c>stored_hit_ids</c>, which a view fills from <c>hits</c>, kept 30 days), every hit of the batch
/// prepared just before (it may still be being written) and every repeat within the batch, before the
/// session tracker sees them, so visits and rollups are not counted twice either.
/// The lookup reads <c>stored_hit_ids</c> by its key, the hit's timestamp (a resent hit keeps the one
/// the collector gave it): one range per run of the batch's timestamps, so a live batch reads the last
/// second or so of stored IDs and a replayed batch the seconds it covers, never the days between.
/// One caller at a time, in batch order (the aggregator's).
/// </summary>
public sealed class HitDeduplicator(IClickHouse clickHouse)
{
    /// <summary>Most ranges in one lookup; past it the closest runs are read as one.</summary>
    internal const int MaxRanges = 32;

    /// <summary>Timestamps further apart than this start a new range.</summary>
    internal static readonly TimeSpan Gap = TimeSpan.FromSeconds(2);

    private (object? Batch, HashSet<Guid> Ids) _last = (null, []);
    private HashSet<Guid> _before = [];
    private long _dropped;

    /// <summary>Hits dropped since start because their ID was stored (or in flight) already.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>
    /// The hits of <paramref name="batch"/> (identified by reference, so a retried prepare is not taken
    /// for its own repeat) not stored before, in order; the list itself when none was.
    /// </summary>
    public async Task<IReadOnlyList<Hit>> FreshAsync(object batch, IReadOnlyList<Hit> hits, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(hits);
        Begin(batch);
        var stored = await StoredAsync(hits, cancellationToken);
        var seen = new HashSet<Guid>(hits.Count);
        List<Hit>? fresh = null;
        for (var i = 0; i < hits.Count; i++)
        {
            var id = hits[i].HitId;
            if (!seen.Add(id) || _before.Contains(id) || stored.Contains(id))
            {
                fresh ??= [.. hits.Take(i)];
                continue;
            }
            fresh?.Add(hits[i]);
        }
        _last = (batch, seen);
        if (fresh is null)
        {
            return hits;
        }
        Interlocked.Add(ref _dropped, hits.Count - fresh.Count);
        return fresh;
    }

    /// <summary>
    /// Takes <paramref name="kept"/> as the hits of <paramref name="batch"/> without looking them up: a replay of a
    /// write whose rows were fixed before it began (<see cref="HitStore"/>), some of which may be stored already.
    /// </summary>
    public void Replay(object batch, IReadOnlyList<Hit> kept)
    {
        ArgumentNullException.ThrowIfNull(kept);
        Begin(batch);
        _last = (batch, kept.Select(hit => hit.HitId).ToHashSet());
    }

    /// <summary>A new batch (not a retried prepare of the last one): the last one's IDs become those in flight before it.</summary>
    private void Begin(object batch)
    {
        if (!ReferenceEquals(batch, _last.Batch))
        {
            _before = _last.Ids;
        }
    }

    /// <summary>IDs stored with timestamps in the runs of <paramref name="hits"/>' timestamps.</summary>
    private async Task<HashSet<Guid>> StoredAsync(IReadOnlyList<Hit> hits, CancellationToken cancellationToken)
    {
        if (hits.Count == 0)
        {
            return [];
        }
        var ranges = Ranges(hits);
        var sql = new StringBuilder($"SELECT groupArray(hit_id) FROM {clickHouse.Database}.stored_hit_ids WHERE ");
        var parameters = new Dictionary<string, string>(ranges.Count * 2);
        for (var i = 0; i < ranges.Count; i++)
        {
            sql.Append(i == 0 ? "" : " OR ").Append(CultureInfo.InvariantCulture,
                $"timestamp BETWEEN fromUnixTimestamp64Milli({{from{i}:Int64}}, 'UTC') AND fromUnixTimestamp64Milli({{to{i}:Int64}}, 'UTC')");
            // Stored with millisecond precision: whole milliseconds, the last one included.
            parameters["from" + i] = Milliseconds(ranges[i].From).ToString(CultureInfo.InvariantCulture);
            parameters["to" + i] = Milliseconds(ranges[i].To).ToString(CultureInfo.InvariantCulture);
        }
        // 16 bytes an ID instead of 37 characters to parse: a range also holds what other batches stored in it
        // (other sites, other aggregators of the group), so a lookup can return far more IDs than its batch has.
        // One array, its length first: an answer cut short, or a server's error text appended after it began to
        // stream, cannot pass for a shorter list of IDs (a missed ID would let a resent hit be stored twice).
        var output = await clickHouse.QueryAsync(sql.ToString(), "RowBinary", parameters, cancellationToken);
        var reader = new RowBinaryReader(output, "A lookup of stored hit IDs");
        var count = reader.Count(minBytes: 16);
        var stored = new HashSet<Guid>(count);
        for (var i = 0; i < count; i++)
        {
            stored.Add(reader.Uuid());
        }
        if (!reader.AtEnd)
        {
            throw new ClickHouseException($"A lookup of stored hit IDs answered {output.Length} bytes, not one array of {count} IDs.");
        }
        return stored;
    }

    private static long Milliseconds(DateTime utc) => (utc.Ticks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerMillisecond;

    /// <summary>The batch's timestamps as at most <see cref="MaxRanges"/> runs, split at the widest gaps over <see cref="Gap"/>.</summary>
    internal static List<(DateTime From, DateTime To)> Ranges(IReadOnlyList<Hit> hits)
    {
        var times = new DateTime[hits.Count];
        for (var i = 0; i < times.Length; i++)
        {
            times[i] = hits[i].Timestamp;
        }
        Array.Sort(times);
        var splits = new List<int>();
        for (var i = 1; i < times.Length; i++)
        {
            if (times[i] - times[i - 1] > Gap)
            {
                splits.Add(i);
            }
        }
        if (splits.Count >= MaxRanges)
        {
            splits = [.. splits.OrderByDescending(i => times[i] - times[i - 1]).Take(MaxRanges - 1).Order()];
        }
        var ranges = new List<(DateTime, DateTime)>(splits.Count + 1);
        var start = 0;
        foreach (var split in splits.Append(times.Length))
        {
            ranges.Add((times[start], times[split - 1]));
            start = split;
        }
        return ranges;
    }
}
