using Analytics.Pipeline.Hits;

namespace Analytics.Pipeline.Sessions;

/// <summary>
/// Where an entry hit came from (host, source, campaign) and what it was, as string ids: few distinct values,
/// so many open visits share one (docs/capacity.md, "Memory of the embedded host").
/// </summary>
internal readonly record struct EntrySource(
    int Hostname, int Source, int Channel, int UtmSource, int UtmMedium, int UtmCampaign, int UtmTerm, int UtmContent, int LinkCampaign, HitKind Kind) : IEntryStrings
{
    /// <summary>The hit's, counting one holder of each of its strings.</summary>
    public static EntrySource Acquire(Hit hit, RefCountedTable<string> strings) => new(
        strings.Acquire(hit.Hostname), strings.Acquire(hit.Source), strings.Acquire(hit.Channel),
        strings.Acquire(hit.UtmSource), strings.Acquire(hit.UtmMedium), strings.Acquire(hit.UtmCampaign),
        strings.Acquire(hit.UtmTerm), strings.Acquire(hit.UtmContent), strings.Acquire(hit.LinkCampaign), hit.Kind);

    /// <summary>The hit's as ids of strings held already, counting nothing; <see cref="IsKnown"/> is false when one is not held.</summary>
    public static EntrySource Find(Hit hit, RefCountedTable<string> strings) => new(strings.Find(hit.Hostname), strings.Find(hit.Source), strings.Find(hit.Channel), strings.Find(hit.UtmSource), strings.Find(hit.UtmMedium), strings.Find(hit.UtmCampaign), strings.Find(hit.UtmTerm), strings.Find(hit.UtmContent), strings.Find(hit.LinkCampaign), hit.Kind);

    public bool IsKnown => Hostname >= 0 && Source >= 0 && Channel >= 0 && UtmSource >= 0 && UtmMedium >= 0 && UtmCampaign >= 0 && UtmTerm >= 0 && UtmContent >= 0 && LinkCampaign >= 0;

    /// <summary>Counts one more holder of each of its strings.</summary>
    public void Hold(RefCountedTable<string> strings)
    {
        strings.Hold(Hostname);
        strings.Hold(Source);
        strings.Hold(Channel);
        strings.Hold(UtmSource);
        strings.Hold(UtmMedium);
        strings.Hold(UtmCampaign);
        strings.Hold(UtmTerm);
        strings.Hold(UtmContent);
        strings.Hold(LinkCampaign);
    }

    public void Release(RefCountedTable<string> strings)
    {
        strings.Release(Hostname);
        strings.Release(Source);
        strings.Release(Channel);
        strings.Release(UtmSource);
        strings.Release(UtmMedium);
        strings.Release(UtmCampaign);
        strings.Release(UtmTerm);
        strings.Release(UtmContent);
        strings.Release(LinkCampaign);
    }
}
