namespace Analytics.Collector.Sites;

/// <summary>
/// The registered sites, section "Sites": a managed registry file (<see cref="StorePath"/>), changed by
/// `analytics site` and the sites admin API; until its first change, the seed: the sites listed here, or in
/// a file of their own (<see cref="File"/>).
/// </summary>
public sealed record SitesOptions
{
    public const string Section = "Sites";

    /// <summary>
    /// The managed registry: a JSON file `{ "Sites": [ ... ] }` written by `analytics site` and the admin API
    /// (validated, atomically replaced and fsynced, every change audited in sites-audit.jsonl beside it), re-read
    /// whenever it changes. Once it exists it is the registry and the seed below is not read. Empty: no managed
    /// registry; the seed is all there is, and changes are refused.
    /// </summary>
    public string StorePath { get; init; } = "";

    /// <summary>
    /// Seed: a JSON file `{ "Sites": [ ... ] }` read instead of <see cref="Sites"/> and re-read whenever it
    /// changes, until the managed registry exists; relative to the current directory. Empty: the sites are listed
    /// in configuration.
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
            foreach (var problem in site.Problems())
            {
                yield return $"{at}:{problem}";
            }
            if (!string.IsNullOrEmpty(site.Id) && !seen.Add(site.Id))
            {
                yield return $"{at}:Id '{site.Id}' is listed twice";
            }
        }
    }
}
