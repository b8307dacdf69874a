namespace Analytics.Collector.Sites;

/// <summary>The registered sites, section "Sites": listed here, or in a file of their own.</summary>
public sealed record SitesOptions
{
    public const string Section = "Sites";

    /// <summary>
    /// A JSON file `{ "Sites": [ ... ] }` read instead of <see cref="Sites"/> and re-read whenever it
    /// changes; relative to the current directory. Empty: the sites are listed in configuration.
    /// </summary>
    public string File { get; init; } = "";

    public IReadOnlyList<SiteOptions> Sites { get; init; } = [];

    /// <summary>A message per invalid entry; empty when all are valid.</summary>
    public IEnumerable<string> Problems()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < Sites.Count; i++)
        {
            var site = Sites[i];
            var at = $"Sites:Sites:{i}";
            if (string.IsNullOrWhiteSpace(site.Id) || site.Id.Length > 64 || !site.Id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            {
                yield return $"{at}:Id must be 1-64 letters, digits, '-', '_' or '.'";
            }
            else if (!seen.Add(site.Id))
            {
                yield return $"{at}:Id '{site.Id}' is listed twice";
            }
            if (site.Hosts.Count == 0)
            {
                yield return $"{at}:Hosts must name at least one host";
            }
            foreach (var host in site.Hosts)
            {
                if (Uri.CheckHostName(host) == UriHostNameType.Unknown)
                {
                    yield return $"{at}:Hosts: '{host}' is not a host name";
                }
            }
            if (!TimeZoneInfo.TryFindSystemTimeZoneById(site.TimeZone, out _))
            {
                yield return $"{at}:TimeZone '{site.TimeZone}' is not a known IANA time zone";
            }
            if (!Enum.IsDefined(site.ConsentMode))
            {
                yield return $"{at}:ConsentMode must be Anonymous or Drop";
            }
            if (site.RetentionDays is < 1 or > 36_500)
            {
                yield return $"{at}:RetentionDays must be between 1 and 36500";
            }
            if (site.KThreshold is < 1 or > 1000)
            {
                yield return $"{at}:KThreshold must be between 1 and 1000";
            }
        }
    }
}
