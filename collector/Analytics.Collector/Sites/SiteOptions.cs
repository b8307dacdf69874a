namespace Analytics.Collector.Sites;

/// <summary>A registered site: only beacons for it, from pages on its hosts, are stored.</summary>
public sealed record SiteOptions
{
    public string Id { get; init; } = "";

    /// <summary>Host names the site's pages are served from (exact, case-insensitive).</summary>
    public IReadOnlyList<string> Hosts { get; init; } = [];

    /// <summary>
    /// Page URL query parameters kept in the stored path (e.g. "page", "q"), besides the campaign ones
    /// (utm_*, ref, source), which always go to their own fields. Every other parameter is dropped.
    /// </summary>
    public IReadOnlyList<string> KeepQueryParameters { get; init; } = [];
}
