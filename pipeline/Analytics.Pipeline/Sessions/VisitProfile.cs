using Analytics.Pipeline.Hits;

namespace Analytics.Pipeline.Sessions;

/// <summary>
/// The entry hit's attributes that a session row carries besides its page and referrer, as ids of a
/// <see cref="RefCountedTable{T}"/> of strings. Many visits share one profile (same host, source, campaign,
/// place and device), so an open visit holds a single id for all of them.
/// </summary>
internal readonly record struct VisitProfile(
    int Hostname, int Source, int Channel, int UtmSource, int UtmMedium, int UtmCampaign, int UtmTerm, int UtmContent,
    int Country, int Region, int City, int Browser, int BrowserVersion, int Os, int OsVersion, int DeviceType,
    int LinkCampaign, int Language, ushort ScreenWidth, bool IsNewVisitor, HitKind Kind)
{
    /// <summary>The hit's profile, counting one holder of each of its strings.</summary>
    public static VisitProfile Acquire(Hit hit, RefCountedTable<string> strings) => new(
        strings.Acquire(hit.Hostname), strings.Acquire(hit.Source), strings.Acquire(hit.Channel),
        strings.Acquire(hit.UtmSource), strings.Acquire(hit.UtmMedium), strings.Acquire(hit.UtmCampaign),
        strings.Acquire(hit.UtmTerm), strings.Acquire(hit.UtmContent),
        strings.Acquire(hit.Country), strings.Acquire(hit.Region), strings.Acquire(hit.City),
        strings.Acquire(hit.Browser), strings.Acquire(hit.BrowserVersion), strings.Acquire(hit.Os),
        strings.Acquire(hit.OsVersion), strings.Acquire(hit.DeviceType),
        strings.Acquire(hit.LinkCampaign), strings.Acquire(hit.Language),
        hit.ScreenWidth, hit.IsNewVisitor, hit.Kind);

    /// <summary>Lets go of one holder of each of its strings.</summary>
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
        strings.Release(Country);
        strings.Release(Region);
        strings.Release(City);
        strings.Release(Browser);
        strings.Release(BrowserVersion);
        strings.Release(Os);
        strings.Release(OsVersion);
        strings.Release(DeviceType);
        strings.Release(LinkCampaign);
        strings.Release(Language);
    }

    /// <summary>A hit with this profile's fields (and the given others): the entry of a session row.</summary>
    public Hit ToEntry(RefCountedTable<string> strings, string siteId, DateTime timestamp, Guid hitId, Guid visitorId, string path, string referrer, bool isBot, Guid sessionId) => new()
    {
        SiteId = siteId,
        Timestamp = timestamp,
        HitId = hitId,
        VisitorId = visitorId,
        IsNewVisitor = IsNewVisitor,
        Kind = Kind,
        Hostname = strings[Hostname],
        Path = path,
        Referrer = referrer,
        Source = strings[Source],
        Channel = strings[Channel],
        UtmSource = strings[UtmSource],
        UtmMedium = strings[UtmMedium],
        UtmCampaign = strings[UtmCampaign],
        UtmTerm = strings[UtmTerm],
        UtmContent = strings[UtmContent],
        Country = strings[Country],
        Region = strings[Region],
        City = strings[City],
        Browser = strings[Browser],
        BrowserVersion = strings[BrowserVersion],
        Os = strings[Os],
        OsVersion = strings[OsVersion],
        DeviceType = strings[DeviceType],
        ScreenWidth = ScreenWidth,
        IsBot = isBot,
        LinkCampaign = strings[LinkCampaign],
        Language = strings[Language],
        SessionId = sessionId,
    };
}
