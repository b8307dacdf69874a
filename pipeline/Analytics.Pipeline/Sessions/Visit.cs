using Analytics.Pipeline.Hits;

namespace Analytics.Pipeline.Sessions;

/// <summary>A visit as the tracker holds it: its running state and the last state that was written.</summary>
internal sealed class Visit
{
    private readonly SharedStrings? _strings;

    /// <summary>
    /// A visit that starts with <paramref name="first"/> (it counts that hit). With <paramref name="strings"/>
    /// (a visit held open) it keeps a compact copy of its entry hit (<see cref="VisitEntry"/>), not the hit.
    /// </summary>
    public Visit(Hit first, SharedStrings? strings = null)
    {
        _strings = strings;
        SessionId = first.HitId;
        Entry = strings is null ? first : VisitEntry.Of(first, strings, SessionId);
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

    /// <summary>The state stored last (null until the first write); cancelled when a newer one is written.</summary>
    public SessionRow? Written { get; set; }

    /// <summary>Changed since <see cref="Written"/>.</summary>
    public bool Dirty { get; set; }

    /// <summary>Adds a hit. A hit older than the visit's start (it arrived late) becomes the entry.</summary>
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
            Entry = _strings is null ? hit : VisitEntry.Of(hit, _strings, SessionId);
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
