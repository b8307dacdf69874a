using Analytics.Pipeline.Hits;

namespace Analytics.Pipeline.Sessions;

/// <summary>
/// What an open visit keeps of its entry hit: the fields a session row is written from, with the
/// low-cardinality ones shared. The hit itself (title, props, event and link fields, and its own copies of
/// every string) is left to the batch it came in, so it is collected once that batch is written.
/// </summary>
internal static class VisitEntry
{
    /// <summary>The compact entry of the visit <paramref name="sessionId"/>, which the hit joins (as the tracker marks the hit itself).</summary>
    public static Hit Of(Hit hit, SharedStrings strings, Guid sessionId) => new()
    {
        SiteId = strings.Share(hit.SiteId),
        Timestamp = hit.Timestamp,
        HitId = hit.HitId,
        VisitorId = hit.VisitorId,
        IsNewVisitor = hit.IsNewVisitor,
        Kind = hit.Kind,
        Hostname = strings.Share(hit.Hostname),
        Path = hit.Path,
        Referrer = hit.Referrer,
        Source = strings.Share(hit.Source),
        Channel = strings.Share(hit.Channel),
        UtmSource = strings.Share(hit.UtmSource),
        UtmMedium = strings.Share(hit.UtmMedium),
        UtmCampaign = strings.Share(hit.UtmCampaign),
        UtmTerm = strings.Share(hit.UtmTerm),
        UtmContent = strings.Share(hit.UtmContent),
        Country = strings.Share(hit.Country),
        Region = strings.Share(hit.Region),
        City = strings.Share(hit.City),
        Browser = strings.Share(hit.Browser),
        BrowserVersion = strings.Share(hit.BrowserVersion),
        Os = strings.Share(hit.Os),
        OsVersion = strings.Share(hit.OsVersion),
        DeviceType = strings.Share(hit.DeviceType),
        ScreenWidth = hit.ScreenWidth,
        IsBot = hit.IsBot,
        LinkCampaign = strings.Share(hit.LinkCampaign),
        Language = strings.Share(hit.Language),
        SessionId = sessionId,
    };
}
