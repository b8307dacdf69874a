using Analytics.Collector.Sites;
using Analytics.Pipeline.Sites;

namespace Analytics.Host.Sites;

/// <summary>
/// Every part reads a site's k, retention, kept query parameters and time zone from the collector's registry,
/// which follows a reloaded sites file: storage, analysts and partners see it as <see cref="ISiteSettings"/>
/// (they cannot reference the collector). An explicit Analysts:TimeZones or Retention:Sites entry still wins.
/// </summary>
public static class SiteSettingsServices
{
    public static IServiceCollection AddSiteSettings(this IServiceCollection services) =>
        services.AddSingleton<ISiteSettings>(sp => sp.GetRequiredService<SiteRegistry>());
}
