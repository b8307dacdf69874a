using Analytics.Analysts;
using Analytics.Collector.Sites;
using Analytics.Pipeline.Storage;
using Microsoft.Extensions.Options;

namespace Analytics.Host.Sites;

/// <summary>
/// A site's own entry (Sites:Sites or the sites file) names its time zone and raw-data retention. The
/// stats API and storage read theirs from their own sections; this fills those in from the sites, so one
/// setting is enough. An explicit Analysts:TimeZones or Retention:Sites entry still wins. Read at start.
/// </summary>
public static class SiteSettingsBridge
{
    public static IServiceCollection AddSiteSettingsBridge(this IServiceCollection services)
    {
        services.AddOptions<AnalystsOptions>().PostConfigure<SiteRegistry>((analysts, sites) =>
        {
            foreach (var site in sites.All)
            {
                analysts.TimeZones.TryAdd(site.Id, site.TimeZone);
            }
        });
        services.AddOptions<RetentionOptions>().PostConfigure<SiteRegistry>((retention, sites) =>
        {
            foreach (var site in sites.All)
            {
                retention.Sites.TryAdd(site.Id, site.RetentionDays);
            }
        });
        return services;
    }
}
