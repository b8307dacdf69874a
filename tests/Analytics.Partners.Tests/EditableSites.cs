using Analytics.Pipeline.Sites;

namespace Analytics.Partners.Tests;

/// <summary>Site settings a test changes while a component holds on to them, as the site registry's reload does.</summary>
public sealed class EditableSites : ISiteSettings
{
    private readonly Dictionary<string, SiteSettings> _sites = new(StringComparer.Ordinal);

    public IEnumerable<SiteSettings> All => _sites.Values;

    public SiteSettings? Find(string siteId) => _sites.GetValueOrDefault(siteId);

    public void Set(SiteSettings site) => _sites[site.Id] = site;
}
