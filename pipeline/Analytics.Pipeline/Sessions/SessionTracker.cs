using Analytics.Pipeline.Hits;
using Microsoft.Extensions.Options;

namespace Analytics.Pipeline.Sessions;

/// <summary>
/// Turns hits into visits (a gap of <see cref="SessionOptions.InactivityTimeout"/> or more starts a new
/// one) and says which session rows to write. It keeps each open visit in memory, bounded by
/// <see cref="SessionOptions.MaxTrackedVisits"/>; this works because the transport hands all of a
/// visitor's hits to one aggregator (Kafka keys by visitor ID). Time is the hits' own time, so a replay or
/// a backlog sessionizes the same way as live traffic. An open visit is a value in a table (about a hundred
/// bytes, docs/capacity.md "Memory of the embedded host"), its strings ids into one counted string table and its entry's
/// source, place and device ids of shared groups of them.
/// </summary>
public sealed class SessionTracker(IOptions<SessionOptions> options)
{
    private static readonly TimeSpan SweepEvery = TimeSpan.FromMinutes(1);

    private readonly OpenVisitTable _visits = new();
    private readonly RefCountedTable<string> _strings = new("", capacity: 1024);
    private readonly RefCountedTable<EntrySource> _sources = new(default, capacity: 256);
    private readonly RefCountedTable<EntryPlace> _places = new(default, capacity: 1024);
    private readonly RefCountedTable<EntryDevice> _devices = new(default, capacity: 1024);
    // Entry hit IDs of the few visits whose entry is a late hit (slot -> hit ID); every other entry's is the session ID.
    private readonly Dictionary<int, Guid> _lateEntries = [];
    private readonly Lock _lock = new();
    private readonly long _timeout = options.Value.InactivityTimeout.Ticks;
    private readonly int _maxVisits = options.Value.MaxTrackedVisits;
    private DateTime _watermark = DateTime.MinValue;
    private DateTime _lastSweep = DateTime.MinValue;

    /// <summary>A gap this long or longer between a visitor's hits starts a new visit.</summary>
    public TimeSpan InactivityTimeout => TimeSpan.FromTicks(_timeout);

    /// <summary>The most open visits held (<see cref="SessionOptions.MaxTrackedVisits"/>).</summary>
    public int MaxVisits => _maxVisits;

    /// <summary>Whether the embedded host continues the visits stored open at its last stop (<see cref="SessionOptions.ResumeOpenVisits"/>).</summary>
    public bool ResumesOpenVisits { get; } = options.Value.ResumeOpenVisits;

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

    /// <summary>Distinct strings and entry field groups the open visits hold (for tests and diagnostics).</summary>
    internal (int Strings, int Sources, int Places, int Devices) SharedValues
    {
        get
        {
            lock (_lock)
            {
                return (_strings.Count, _sources.Count, _places.Count, _devices.Count);
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
        // Each visit the batch changed, with the entry of its cancelling row (reused by its new state when the entry stayed).
        var changed = new List<(int Slot, Hit? Entry)>();
        lock (_lock)
        {
            foreach (var hit in ordered)
            {
                if (hit.VisitorId == Guid.Empty)
                {
                    // Anonymous (no consent): nothing links two such hits, so each is a visit of its own.
                    rows.Add(OneHitVisit(hit));
                    continue;
                }
                var siteId = _strings.Find(hit.SiteId);
                var slot = siteId < 0 ? -1 : _visits.Find(siteId, hit.VisitorId, hit.IsBot);
                if (slot < 0)
                {
                    slot = _visits.Add(_strings.Acquire(hit.SiteId), hit.VisitorId, hit.IsBot);
                    Start(ref _visits[slot], hit);
                    changed.Add((slot, null));
                }
                else
                {
                    ref var visit = ref _visits[slot];
                    if (visit.StartedTicks - Ticks(hit) >= _timeout)
                    {
                        // A straggler from a visit that ended before the one we hold: a visit of its own.
                        rows.Add(OneHitVisit(hit));
                        continue;
                    }
                    if (Ticks(hit) - visit.EndedTicks >= _timeout)
                    {
                        // A new visit in the same slot; the ended one's state goes out now if the batch changed it.
                        if (visit.Has(OpenVisitFlags.Dirty))
                        {
                            rows.Add(State(ref visit, slot, sign: 1, ++visit.Version, Entry(ref visit, slot)));
                        }
                        else
                        {
                            changed.Add((slot, null));
                        }
                        ReleaseHeld(ref visit, slot);
                        Start(ref visit, hit);
                    }
                    else
                    {
                        if (!visit.Has(OpenVisitFlags.Dirty))
                        {
                            var cancel = State(ref visit, slot, sign: -1, visit.Version, Entry(ref visit, slot));
                            rows.Add(cancel);
                            changed.Add((slot, cancel.Entry));
                            visit.Flags |= OpenVisitFlags.Dirty;
                        }
                        Add(ref visit, slot, hit);
                    }
                }
                // The hit's row carries its visit, so a funnel within a visit groups hits without joining sessions.
                hit.SessionId = _visits[slot].SessionId;
            }

            foreach (var (slot, cancelled) in changed)
            {
                ref var visit = ref _visits[slot];
                var entry = cancelled is not null && !visit.Has(OpenVisitFlags.EntryChanged) ? cancelled : Entry(ref visit, slot);
                rows.Add(State(ref visit, slot, sign: 1, ++visit.Version, entry));
                visit.Flags &= ~(OpenVisitFlags.Dirty | OpenVisitFlags.EntryChanged);
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
    /// Takes back visits stored before this tracker started (<see cref="StoredVisits"/>): each row a visit's newest
    /// stored state, which a later hit of the visit then cancels and grows, as if this tracker had written it. So a
    /// restart does not cut the visits open at the time in two. A visit the tracker holds already is left as it is,
    /// unless <paramref name="newerThanHeld"/> and the stored one is newer (a later visit, or a later state of the same
    /// one): another reader grew the visitor's visits since this tracker last did. Returns the visits taken.
    /// </summary>
    public int Resume(IEnumerable<SessionRow> stored, bool newerThanHeld = false)
    {
        var resumed = 0;
        lock (_lock)
        {
            foreach (var row in stored)
            {
                var entry = row.Entry;
                var siteId = _strings.Find(entry.SiteId);
                var held = siteId < 0 || entry.VisitorId == Guid.Empty ? -1 : _visits.Find(siteId, entry.VisitorId, entry.IsBot);
                if (entry.VisitorId == Guid.Empty || (held >= 0 && !(newerThanHeld && IsNewer(row, ref _visits[held]))))
                {
                    continue;
                }
                if (held >= 0)
                {
                    Remove(held);
                }
                var slot = _visits.Add(_strings.Acquire(entry.SiteId), entry.VisitorId, entry.IsBot);
                ref var visit = ref _visits[slot];
                visit.SessionId = row.SessionId;
                visit.StartedTicks = row.StartedAt.Ticks;
                visit.EndedTicks = row.EndedAt.Ticks;
                HoldEntry(ref visit, entry);
                visit.ExitPage = _strings.Acquire(row.ExitPage);
                visit.Hits = row.Hits;
                visit.Pageviews = row.Pageviews;
                visit.Events = row.Events;
                visit.LinkClicks = row.LinkClicks;
                visit.Version = row.Version;
                // The watermark stays the hits' own: the next batch's times decide when these visits have ended.
                resumed++;
            }
        }
        return resumed;
    }

    private static bool IsNewer(SessionRow row, ref OpenVisit held) =>
        row.SessionId == held.SessionId ? row.Version > held.Version : row.StartedAt.Ticks > held.StartedTicks;

    /// <summary>
    /// For a batch whose visit rows are stored already, in the visits this tracker took back (a killed process wrote
    /// them, <see cref="Resume"/> read them): sets each hit's <see cref="Hit.SessionId"/> to the visit it joined,
    /// changing no visit, and returns the new states the batch wrote (sign +1: the visits it joined, as held, and the
    /// one-hit visits it made). Returns null, setting nothing, when a hit does not fall inside the visit held for its
    /// visitor (the batch then cut a visit in two, or the visit was not taken back): the caller cannot place it.
    /// </summary>
    public IReadOnlyList<SessionRow>? Place(IReadOnlyList<Hit> hits)
    {
        lock (_lock)
        {
            var visits = new Guid[hits.Count];
            var slots = new List<int>();
            var seen = new HashSet<int>();
            var oneHit = new List<Hit>();
            for (var i = 0; i < hits.Count; i++)
            {
                var hit = hits[i];
                var siteId = _strings.Find(hit.SiteId);
                var slot = siteId < 0 || hit.VisitorId == Guid.Empty ? -1 : _visits.Find(siteId, hit.VisitorId, hit.IsBot);
                if (hit.VisitorId == Guid.Empty || (slot >= 0 && _visits[slot].StartedTicks - Ticks(hit) >= _timeout))
                {
                    // Anonymous, or a straggler from long before the visit: a one-hit visit of its own, as Track made it.
                    visits[i] = hit.HitId;
                    oneHit.Add(hit);
                    continue;
                }
                if (slot < 0 || Ticks(hit) < _visits[slot].StartedTicks || Ticks(hit) > _visits[slot].EndedTicks)
                {
                    return null;
                }
                visits[i] = _visits[slot].SessionId;
                if (seen.Add(slot))
                {
                    slots.Add(slot);
                }
            }
            for (var i = 0; i < hits.Count; i++)
            {
                hits[i].SessionId = visits[i];
            }
            var rows = new List<SessionRow>(slots.Count + oneHit.Count);
            foreach (var slot in slots)
            {
                ref var visit = ref _visits[slot];
                rows.Add(State(ref visit, slot, sign: 1, visit.Version, Entry(ref visit, slot)));
            }
            rows.AddRange(oneHit.Select(OneHitVisit));
            return rows;
        }
    }

    /// <summary>
    /// The hit's time to the millisecond, as the tables keep times. A visit taken back from storage then holds exactly what
    /// the tracker that wrote it held, so a batch tracked on it again makes the same rows, durations included.
    /// </summary>
    private static long Ticks(Hit hit) => hit.Timestamp.Ticks - (hit.Timestamp.Ticks % TimeSpan.TicksPerMillisecond);

    /// <summary>
    /// Drops the open visits of these visitors (on the sites of <paramref name="hits"/>): their next hits start
    /// new visits. For a batch replayed after a crash that may have stored part of its visit rows: tracked onto
    /// visits resumed from storage, its hits could be counted twice in them.
    /// </summary>
    public void ForgetVisitorsOf(IEnumerable<Hit> hits)
    {
        lock (_lock)
        {
            foreach (var hit in hits)
            {
                var siteId = _strings.Find(hit.SiteId);
                var slot = siteId < 0 || hit.VisitorId == Guid.Empty ? -1 : _visits.Find(siteId, hit.VisitorId, hit.IsBot);
                if (slot >= 0)
                {
                    Remove(slot);
                }
            }
        }
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
                var siteId = _strings.Find(row.Entry.SiteId);
                var slot = siteId < 0 ? -1 : _visits.Find(siteId, row.Entry.VisitorId, row.Entry.IsBot);
                if (slot >= 0 && _visits[slot].SessionId == row.SessionId)
                {
                    Remove(slot);
                }
            }
        }
    }

    /// <summary>Drops every open visit of the visitor, on every site (the visitor asked to be erased).</summary>
    public void ForgetVisitor(Guid visitorId)
    {
        lock (_lock)
        {
            for (var slot = 0; slot < _visits.End; slot++)
            {
                ref var visit = ref _visits[slot];
                if (visit.Has(OpenVisitFlags.Used) && visit.VisitorId == visitorId)
                {
                    Remove(slot);
                }
            }
        }
    }

    private static SessionRow OneHitVisit(Hit hit)
    {
        hit.SessionId = hit.HitId;
        return new SessionRow
        {
            Entry = hit,
            SessionId = hit.HitId,
            Sign = 1,
            Version = 1,
            StartedAt = new DateTime(Ticks(hit), DateTimeKind.Utc),
            EndedAt = new DateTime(Ticks(hit), DateTimeKind.Utc),
            ExitPage = hit.Path,
            Hits = 1,
            Pageviews = hit.Kind == HitKind.Pageview ? 1u : 0,
            Events = hit.Kind == HitKind.Event ? 1u : 0,
            LinkClicks = hit.Kind == HitKind.LinkClick ? 1u : 0,
        };
    }

    /// <summary>Makes the slot (key set, nothing held) a visit that starts with <paramref name="first"/>.</summary>
    private void Start(ref OpenVisit visit, Hit first)
    {
        visit.SessionId = first.HitId;
        visit.StartedTicks = Ticks(first);
        visit.EndedTicks = Ticks(first);
        visit.Flags = (visit.Flags & (OpenVisitFlags.Used | OpenVisitFlags.Bot)) | OpenVisitFlags.Dirty | OpenVisitFlags.EntryChanged;
        HoldEntry(ref visit, first);
        visit.ExitPage = _strings.Acquire(first.Path);
        visit.Hits = visit.Pageviews = visit.Events = visit.LinkClicks = 0;
        visit.Version = 0;
        Tally(ref visit, first);
    }

    /// <summary>Adds a hit. A hit older than the visit's start (it arrived late) becomes the entry.</summary>
    private void Add(ref OpenVisit visit, int slot, Hit hit)
    {
        Tally(ref visit, hit);
        var ticks = Ticks(hit);
        if (ticks < visit.StartedTicks)
        {
            visit.StartedTicks = ticks;
            ReleaseEntry(ref visit);
            HoldEntry(ref visit, hit);
            visit.Flags |= OpenVisitFlags.EntryChanged | OpenVisitFlags.LateEntry;
            _lateEntries[slot] = hit.HitId;
        }
        if (ticks >= visit.EndedTicks)
        {
            visit.EndedTicks = ticks;
            if (string.Equals(_strings[visit.ExitPage], hit.Path, StringComparison.Ordinal))
            {
                return;
            }
            var exit = _strings.Acquire(hit.Path);
            _strings.Release(visit.ExitPage);
            visit.ExitPage = exit;
        }
    }

    private static void Tally(ref OpenVisit visit, Hit hit)
    {
        visit.Hits++;
        switch (hit.Kind)
        {
            case HitKind.Pageview: visit.Pageviews++; break;
            case HitKind.Event: visit.Events++; break;
            case HitKind.LinkClick: visit.LinkClicks++; break;
        }
    }

    private void HoldEntry(ref OpenVisit visit, Hit entry)
    {
        var source = EntrySource.Find(entry, _strings);
        visit.Source = source.IsKnown ? Hold(_sources, source) : _sources.Acquire(EntrySource.Acquire(entry, _strings));
        var place = EntryPlace.Find(entry, _strings);
        visit.Place = place.IsKnown ? Hold(_places, place) : _places.Acquire(EntryPlace.Acquire(entry, _strings));
        var device = EntryDevice.Find(entry, _strings);
        visit.Device = device.IsKnown ? Hold(_devices, device) : _devices.Acquire(EntryDevice.Acquire(entry, _strings));
        visit.EntryPage = _strings.Acquire(entry.Path);
        visit.Referrer = _strings.Acquire(entry.Referrer);
        visit.Flags = entry.IsNewVisitor ? visit.Flags | OpenVisitFlags.NewVisitor : visit.Flags & ~OpenVisitFlags.NewVisitor;
    }

    private void ReleaseEntry(ref OpenVisit visit)
    {
        Let(_sources, visit.Source);
        Let(_places, visit.Place);
        Let(_devices, visit.Device);
        _strings.Release(visit.EntryPage);
        _strings.Release(visit.Referrer);
    }

    /// <summary>The id of a group of held strings, one more holder; a new group counts a holder of each of its strings.</summary>
    private int Hold<T>(RefCountedTable<T> table, T group) where T : IEquatable<T>, IEntryStrings
    {
        var id = table.Acquire(group, out var added);
        if (added)
        {
            group.Hold(_strings);
        }
        return id;
    }

    /// <summary>One holder of the group fewer; its strings go with its last holder.</summary>
    private void Let<T>(RefCountedTable<T> table, int id) where T : IEquatable<T>, IEntryStrings
    {
        var group = table[id];
        if (table.Release(id))
        {
            group.Release(_strings);
        }
    }

    /// <summary>Releases what the visit holds except its key (its site).</summary>
    private void ReleaseHeld(ref OpenVisit visit, int slot)
    {
        ReleaseEntry(ref visit);
        _strings.Release(visit.ExitPage);
        if (visit.Has(OpenVisitFlags.LateEntry))
        {
            _lateEntries.Remove(slot);
        }
    }

    private void Remove(int slot)
    {
        ref var visit = ref _visits[slot];
        ReleaseHeld(ref visit, slot);
        _strings.Release(visit.SiteId);
        _visits.Remove(slot);
    }

    /// <summary>The visit's entry hit, as its session rows carry it.</summary>
    private Hit Entry(ref OpenVisit visit, int slot)
    {
        var source = _sources[visit.Source];
        var place = _places[visit.Place];
        var device = _devices[visit.Device];
        return new Hit
        {
            SiteId = _strings[visit.SiteId],
            Timestamp = new DateTime(visit.StartedTicks, DateTimeKind.Utc),
            HitId = visit.Has(OpenVisitFlags.LateEntry) ? _lateEntries[slot] : visit.SessionId,
            VisitorId = visit.VisitorId,
            IsNewVisitor = visit.Has(OpenVisitFlags.NewVisitor),
            Kind = source.Kind,
            Hostname = _strings[source.Hostname],
            Path = _strings[visit.EntryPage],
            Referrer = _strings[visit.Referrer],
            Source = _strings[source.Source],
            Channel = _strings[source.Channel],
            UtmSource = _strings[source.UtmSource],
            UtmMedium = _strings[source.UtmMedium],
            UtmCampaign = _strings[source.UtmCampaign],
            UtmTerm = _strings[source.UtmTerm],
            UtmContent = _strings[source.UtmContent],
            Country = _strings[place.Country],
            Region = _strings[place.Region],
            City = _strings[place.City],
            Browser = _strings[device.Browser],
            BrowserVersion = _strings[device.BrowserVersion],
            Os = _strings[device.Os],
            OsVersion = _strings[device.OsVersion],
            DeviceType = _strings[device.DeviceType],
            ScreenWidth = device.ScreenWidth,
            IsBot = visit.IsBot,
            LinkCampaign = _strings[source.LinkCampaign],
            Language = _strings[place.Language],
            SessionId = visit.SessionId,
        };
    }

    private SessionRow State(ref OpenVisit visit, int slot, sbyte sign, uint version, Hit entry) => new()
    {
        Entry = entry,
        SessionId = visit.SessionId,
        Sign = sign,
        Version = version,
        StartedAt = new DateTime(visit.StartedTicks, DateTimeKind.Utc),
        EndedAt = new DateTime(visit.EndedTicks, DateTimeKind.Utc),
        ExitPage = _strings[visit.ExitPage],
        Hits = visit.Hits,
        Pageviews = visit.Pageviews,
        Events = visit.Events,
        LinkClicks = visit.LinkClicks,
    };

    private void Sweep()
    {
        if (_watermark - _lastSweep < SweepEvery && _visits.Count <= _maxVisits)
        {
            return;
        }
        _lastSweep = _watermark;
        var closedBefore = (_watermark - TimeSpan.FromTicks(_timeout)).Ticks;
        for (var slot = 0; slot < _visits.End; slot++)
        {
            ref var visit = ref _visits[slot];
            if (visit.Has(OpenVisitFlags.Used) && visit.EndedTicks <= closedBefore)
            {
                Remove(slot);
            }
        }
        if (_visits.Count <= _maxVisits)
        {
            return;
        }
        // Still over the bound: forget the visits idle longest, down to 90% so this does not run every batch.
        var excess = _visits.Count - (_maxVisits / 10 * 9);
        var ended = new long[_visits.Count];
        var slots = new int[_visits.Count];
        var n = 0;
        for (var slot = 0; slot < _visits.End; slot++)
        {
            if (_visits[slot].Has(OpenVisitFlags.Used))
            {
                ended[n] = _visits[slot].EndedTicks;
                slots[n++] = slot;
            }
        }
        Array.Sort(ended, slots);
        foreach (var slot in slots.AsSpan(0, excess))
        {
            Remove(slot);
        }
    }
}
