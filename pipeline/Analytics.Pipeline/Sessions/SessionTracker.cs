using Analytics.Pipeline.Hits;
using Microsoft.Extensions.Options;

namespace Analytics.Pipeline.Sessions;

/// <summary>
/// Turns hits into visits (a gap of <see cref="SessionOptions.InactivityTimeout"/> or more starts a new
/// one) and says which session rows to write. It keeps each open visit in memory, bounded by
/// <see cref="SessionOptions.MaxTrackedVisits"/>; this works because the transport hands all of a
/// visitor's hits to one aggregator (Kafka keys by visitor ID). Time is the hits' own time, so a replay or
/// a backlog sessionizes the same way as live traffic.
/// </summary>
public sealed class SessionTracker(IOptions<SessionOptions> options)
{
    private static readonly TimeSpan SweepEvery = TimeSpan.FromMinutes(1);

    private readonly Dictionary<VisitKey, Visit> _visits = [];
    private readonly Lock _lock = new();
    private readonly SharedStrings _strings = new();
    private readonly TimeSpan _timeout = options.Value.InactivityTimeout;
    private readonly int _maxVisits = options.Value.MaxTrackedVisits;
    private DateTime _watermark = DateTime.MinValue;
    private DateTime _lastSweep = DateTime.MinValue;

    /// <summary>Visits held in memory.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _visits.Count;
            }
        }
    }

    /// <summary>
    /// Adds a batch of hits (in any order) and returns the session rows to write: for each visit the batch
    /// changed, a cancellation of its previously written state (if any) and its new state. Each hit's
    /// <see cref="Hit.SessionId"/> is set to the visit it joined. The tracker assumes the rows get written;
    /// if they are not, call <see cref="Forget"/> with them.
    /// </summary>
    public IReadOnlyList<SessionRow> Track(IReadOnlyList<Hit> hits)
    {
        var ordered = hits.ToArray();
        // Time order inside the batch; ties broken by the UUIDv7 hit ID, which the collector minted in order.
        Array.Sort(ordered, static (a, b) => a.Timestamp != b.Timestamp ? a.Timestamp.CompareTo(b.Timestamp) : a.HitId.CompareTo(b.HitId));

        var rows = new List<SessionRow>();
        var changed = new List<Visit>();
        lock (_lock)
        {
            foreach (var hit in ordered)
            {
                if (hit.VisitorId == Guid.Empty)
                {
                    // Anonymous (no consent): nothing links two such hits, so each is a visit of its own.
                    rows.Add(new Visit(hit).Snapshot(version: 1));
                    hit.SessionId = hit.HitId;
                    continue;
                }
                var key = new VisitKey(hit.SiteId, hit.VisitorId, hit.IsBot);
                if (_visits.TryGetValue(key, out var visit) && visit.StartedAt - hit.Timestamp >= _timeout)
                {
                    // A straggler from a visit that ended before the one we hold: a visit of its own.
                    rows.Add(new Visit(hit).Snapshot(version: 1));
                    hit.SessionId = hit.HitId;
                    continue;
                }
                if (visit is null || hit.Timestamp - visit.EndedAt >= _timeout)
                {
                    visit = new Visit(hit, _strings);
                    _visits[key with { SiteId = visit.Entry.SiteId }] = visit;
                    changed.Add(visit);
                }
                else
                {
                    if (!visit.Dirty)
                    {
                        changed.Add(visit);
                    }
                    visit.Add(hit);
                }
                // The hit's row carries its visit, so a funnel within a visit groups hits without joining sessions.
                hit.SessionId = visit.SessionId;
            }

            foreach (var visit in changed)
            {
                if (visit.Written is { } written)
                {
                    rows.Add(written with { Sign = -1 });
                }
                var state = visit.Snapshot((visit.Written?.Version ?? 0) + 1);
                rows.Add(state);
                visit.Written = state;
                visit.Dirty = false;
            }

            if (ordered.Length > 0 && ordered[^1].Timestamp > _watermark)
            {
                _watermark = ordered[^1].Timestamp;
            }
            Sweep();
        }
        return rows;
    }

    /// <summary>
    /// Drops the visits these rows belong to (their rows were not stored as the tracker assumed, e.g. the
    /// engine recognised a replayed batch). The visitors' next hits start new visits.
    /// </summary>
    public void Forget(IEnumerable<SessionRow> rows)
    {
        lock (_lock)
        {
            foreach (var row in rows)
            {
                var key = new VisitKey(row.Entry.SiteId, row.Entry.VisitorId, row.Entry.IsBot);
                if (_visits.TryGetValue(key, out var visit) && visit.SessionId == row.SessionId)
                {
                    _visits.Remove(key);
                }
            }
        }
    }

    /// <summary>Drops every open visit of the visitor, on every site (the visitor asked to be erased).</summary>
    public void ForgetVisitor(Guid visitorId)
    {
        lock (_lock)
        {
            foreach (var key in _visits.Keys.Where(k => k.VisitorId == visitorId).ToList())
            {
                _visits.Remove(key);
            }
        }
    }

    private void Sweep()
    {
        if (_watermark - _lastSweep < SweepEvery && _visits.Count <= _maxVisits)
        {
            return;
        }
        _lastSweep = _watermark;
        var closedBefore = _watermark - _timeout;
        foreach (var (key, visit) in _visits)
        {
            if (visit.EndedAt <= closedBefore)
            {
                _visits.Remove(key);
            }
        }
        if (_visits.Count <= _maxVisits)
        {
            return;
        }
        // Still over the bound: forget the visits idle longest, down to 90% so this does not run every batch.
        var excess = _visits.Count - (_maxVisits / 10 * 9);
        foreach (var (key, _) in _visits.OrderBy(v => v.Value.EndedAt).Take(excess).ToList())
        {
            _visits.Remove(key);
        }
    }
}
