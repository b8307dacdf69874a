namespace Analytics.Collector.Sites;

/// <summary>The registered sites, section "Sites".</summary>
public sealed record SitesOptions
{
    public const string Section = "Sites";

    public IReadOnlyList<SiteOptions> Sites { get; init; } = [];

    /// <summary>A message per invalid entry; empty when all are valid.</summary>
    public IEnumerable<string> Problems()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < Sites.Count; i++)
        {
            var site = Sites[i];
            if (string.IsNullOrWhiteSpace(site.Id) || site.Id.Length > 64 || !site.Id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            {
                yield return $"Sites:Sites:{i}:Id must be 1-64 letters, digits, '-', '_' or '.'";
            }
            else if (!seen.Add(site.Id))
            {
                yield return $"Sites:Sites:{i}:Id '{site.Id}' is listed twice";
            }
            if (site.Hosts.Count == 0)
            {
                yield return $"Sites:Sites:{i}:Hosts must name at least one host";
            }
        }
    }
}
