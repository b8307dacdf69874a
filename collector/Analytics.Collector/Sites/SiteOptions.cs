namespace Analytics.Collector.Sites;

/// <summary>A registered site: only beacons for it, from pages on its hosts, are stored.</summary>
public sealed record SiteOptions
{
    public string Id { get; init; } = "";

    /// <summary>Host names the site's pages are served from (exact, case-insensitive).</summary>
    public IReadOnlyList<string> Hosts { get; init; } = [];

    /// <summary>IANA time zone the site's days are counted in.</summary>
    public string TimeZone { get; init; } = "UTC";

    /// <summary>What to do with hits from visitors who declined: count them anonymously, or drop them.</summary>
    public ConsentMode ConsentMode { get; init; } = ConsentMode.Anonymous;

    /// <summary>Days raw hits are kept.</summary>
    public int RetentionDays { get; init; } = 395;

    /// <summary>Cells with fewer visitors than this are suppressed in shared reports.</summary>
    public int KThreshold { get; init; } = 10;

    /// <summary>
    /// Page URL query parameters kept in the stored path (e.g. "page", "q"), besides the campaign ones
    /// (utm_*, ref, source), which always go to their own fields. Every other parameter is dropped.
    /// </summary>
    public IReadOnlyList<string> KeepQueryParameters { get; init; } = [];

    /// <summary>
    /// Store only hits that carry an Origin or Referer header naming one of <see cref="Hosts"/>; others get
    /// their GIF and are counted as MissingOrigin. Off by default: browsers and privacy tools often send
    /// neither (Referrer-Policy: no-referrer), and those visits would not be counted (docs/tracking.md).
    /// </summary>
    public bool StrictOrigin { get; init; }

    /// <summary>A message per invalid field, naming the field; empty when the site is valid.</summary>
    public IEnumerable<string> Problems()
    {
        if (string.IsNullOrWhiteSpace(Id) || Id.Length > 64 || !Id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            yield return "Id must be 1-64 letters, digits, '-', '_' or '.'";
        }
        if (Hosts.Count == 0)
        {
            yield return "Hosts must name at least one host";
        }
        foreach (var host in Hosts)
        {
            if (Uri.CheckHostName(host) == UriHostNameType.Unknown)
            {
                yield return $"Hosts: '{host}' is not a host name";
            }
        }
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(TimeZone, out _))
        {
            yield return $"TimeZone '{TimeZone}' is not a known IANA time zone";
        }
        if (!Enum.IsDefined(ConsentMode))
        {
            yield return "ConsentMode must be Anonymous or Drop";
        }
        if (RetentionDays is < 1 or > 36_500)
        {
            yield return "RetentionDays must be between 1 and 36500";
        }
        if (KThreshold is < 1 or > 1000)
        {
            yield return "KThreshold must be between 1 and 1000";
        }
        foreach (var parameter in KeepQueryParameters)
        {
            if (string.IsNullOrWhiteSpace(parameter) || parameter.Length > 64 || parameter.Any(char.IsControl))
            {
                yield return "KeepQueryParameters: each is a parameter name of 1-64 characters";
                break;
            }
        }
    }
}
