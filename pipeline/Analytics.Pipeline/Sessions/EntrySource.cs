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
