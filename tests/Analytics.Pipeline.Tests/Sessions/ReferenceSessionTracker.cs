using Analytics.Pipeline.Hits;
using Analytics.Pipeline.Sessions;

namespace Analytics.Pipeline.Tests.Sessions;

/// <summary>
/// The session tracker as it was before open visits became values in a table (commit c06b39b, without its
/// compact entries): one object per visit holding its entry hit. Kept as the model the compact tracker
/// must agree with, row for row.
/// </summary>
internal sealed class ReferenceSessionTracker(TimeSpan timeout)
{
    private readonly Dictionary<(string SiteId, Guid VisitorId, bool IsBot), Visit> _visits = [];
    private DateTime _watermark = DateTime.MinValue;
    private DateTime _lastSweep = DateTime.MinValue;

    public IReadOnlyList<SessionRow> Track(IReadOnlyList<Hit> hits)
    {
        var ordered = hits.ToArray();
        Array.Sort(ordered, static (a, b) => a.Timestamp != b.Timestamp ? a.Timestamp.CompareTo(b.Timestamp) : a.HitId.CompareTo(b.HitId));
        var rows = new List<SessionRow>();
        var changed = new List<Visit>();
        foreach (var hit in ordered)
        {
            if (hit.VisitorId == Guid.Empty)
            {
                rows.Add(new Visit(hit).Snapshot(1));
                hit.SessionId = hit.HitId;
                continue;
            }
            var key = (hit.SiteId, hit.VisitorId, hit.IsBot);
            if (_visits.TryGetValue(key, out var visit) && visit.StartedAt - hit.Timestamp >= timeout)
            {
                rows.Add(new Visit(hit).Snapshot(1));
                hit.SessionId = hit.HitId;
                continue;
            }
            if (visit is null || hit.Timestamp - visit.EndedAt >= timeout)
            {
                visit = new Visit(hit);
                _visits[key] = visit;
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
        return rows;
    }

    // The same sweep as the tracker's (a swept visit changes what a straggler joins), without its bound on visits.
    private void Sweep()
    {
        if (_watermark - _lastSweep < TimeSpan.FromMinutes(1))
        {
            return;
        }
        _lastSweep = _watermark;
        foreach (var (key, visit) in _visits)
        {
            if (visit.EndedAt <= _watermark - timeout)
            {
                _visits.Remove(key);
            }
        }
    }

    private sealed class Visit
    {
        public Visit(Hit first)
        {
            SessionId = first.HitId;
            Entry = first;
            StartedAt = first.Timestamp;
            EndedAt = first.Timestamp;
            ExitPage = first.Path;
            Add(first);
        }

        public Hit Entry { get; private set; }

        public Guid SessionId { get; }

        public DateTime StartedAt { get; private set; }

        public DateTime EndedAt { get; private set; }

        public string ExitPage { get; private set; }

        public uint Hits { get; private set; }

        public uint Pageviews { get; private set; }

        public uint Events { get; private set; }

        public uint LinkClicks { get; private set; }

        public SessionRow? Written { get; set; }

        public bool Dirty { get; set; }

        public void Add(Hit hit)
        {
            Hits++;
            switch (hit.Kind)
            {
                case HitKind.Pageview: Pageviews++; break;
                case HitKind.Event: Events++; break;
                case HitKind.LinkClick: LinkClicks++; break;
            }
            if (hit.Timestamp < StartedAt)
            {
                StartedAt = hit.Timestamp;
                Entry = hit;
            }
            if (hit.Timestamp >= EndedAt)
            {
                EndedAt = hit.Timestamp;
                ExitPage = hit.Path;
            }
            Dirty = true;
        }

        public SessionRow Snapshot(uint version) => new()
        {
            Entry = Entry,
            SessionId = SessionId,
            Sign = 1,
            Version = version,
            StartedAt = StartedAt,
            EndedAt = EndedAt,
            ExitPage = ExitPage,
            Hits = Hits,
            Pageviews = Pageviews,
            Events = Events,
            LinkClicks = LinkClicks,
        };
    }
}
