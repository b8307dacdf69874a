namespace Analytics.Pipeline.Sessions;

/// <summary>
/// An open visit as the tracker holds it: a value in <see cref="OpenVisitTable"/>, strings as ids of the
/// tracker's string table, times as ticks. No object per visit, so a million open visits are a few arrays
/// for the garbage collector, not millions of objects. Its state is the one last written (between batches the
/// tracker writes every change), so a cancelling row is made from it.
/// </summary>
internal struct OpenVisit
{
    public Guid VisitorId;

    /// <summary>The hit ID of the visit's first hit.</summary>
    public Guid SessionId;

    public long StartedTicks;

    public long EndedTicks;

    /// <summary>String id of the site (part of the key).</summary>
    public int SiteId;

    /// <summary>Ids of the entry hit's <see cref="EntrySource"/>, <see cref="EntryPlace"/> and <see cref="EntryDevice"/>.</summary>
    public int Source;

    public int Place;

    public int Device;

    /// <summary>String ids of the entry page, the entry hit's referrer and the exit page.</summary>
    public int EntryPage;

    public int Referrer;

    public int ExitPage;

    public uint Hits;

    public uint Pageviews;

    public uint Events;

    public uint LinkClicks;

    /// <summary>Version of the state last written (0: not written yet).</summary>
    public uint Version;

    /// <summary>The next slot in the same hash bucket, or in the free list.</summary>
    public int Next;

    public OpenVisitFlags Flags;

    public readonly bool IsBot => (Flags & OpenVisitFlags.Bot) != 0;

    public readonly bool Has(OpenVisitFlags flag) => (Flags & flag) != 0;
}
