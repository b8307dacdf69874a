namespace Analytics.Pipeline.Sites;

/// <summary>
/// The settings privacy depends on, per registered site, as they are now. One registry answers for every part
/// (collector, storage, analysts, partners): the collector's, which follows a reloaded sites file. It lives here,
/// below all of them, so none needs a reference to the collector; the host wires the registry in.
/// </summary>
public interface ISiteSettings
{
    /// <summary>The site's settings, or null when it is not registered.</summary>
    SiteSettings? Find(string siteId);

    /// <summary>Every registered site.</summary>
    IEnumerable<SiteSettings> All { get; }
}
