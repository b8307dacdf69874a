namespace Analytics.Pipeline.Sites;

/// <summary>A registered site's settings that privacy depends on.</summary>
/// <param name="Id">The site id.</param>
/// <param name="TimeZone">IANA time zone the site's days are counted in.</param>
/// <param name="RetentionDays">Days raw hits and visits are kept.</param>
/// <param name="KThreshold">Cells with fewer visitors are never shown to partners or on shared links.</param>
/// <param name="KeepQueryParameters">Page URL query parameters kept in the stored path.</param>
public sealed record SiteSettings(string Id, string TimeZone, int RetentionDays, int KThreshold, IReadOnlySet<string> KeepQueryParameters);
