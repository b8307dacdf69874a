using System.Collections.Frozen;
using Microsoft.Extensions.Options;

namespace Analytics.Collector.Sites;

/// <summary>Looks up registered sites; follows configuration reloads.</summary>
public sealed class SiteRegistry
{
    private FrozenDictionary<string, Site> _sites = FrozenDictionary<string, Site>.Empty;

    public SiteRegistry(IOptionsMonitor<SitesOptions> options)
    {
        Load(options.CurrentValue);
        options.OnChange(Load);
    }

    public bool TryGet(string id, out Site site) => _sites.TryGetValue(id, out site!);

    public IEnumerable<Site> All => _sites.Values;

    private void Load(SitesOptions options) =>
        _sites = options.Sites
            .Where(s => !string.IsNullOrWhiteSpace(s.Id))
            .DistinctBy(s => s.Id)
            .ToFrozenDictionary(s => s.Id, s => new Site(s.Id, s.Hosts.Select(h => h.ToLowerInvariant()).ToFrozenSet()), StringComparer.Ordinal);
}

/// <summary>A registered site as the collector uses it.</summary>
public sealed record Site(string Id, FrozenSet<string> Hosts)
{
    public bool Allows(string host) => Hosts.Contains(host.ToLowerInvariant());
}
