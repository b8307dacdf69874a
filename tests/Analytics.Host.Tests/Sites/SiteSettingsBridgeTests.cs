using Analytics.Analysts;
using Analytics.Pipeline.Storage;
using Microsoft.Extensions.Options;

namespace Analytics.Host.Tests.Sites;

public class SiteSettingsBridgeTests
{
    [Test]
    public async Task A_sites_time_zone_and_retention_reach_the_stats_api_and_storage()
    {
        await using var host = await RunningHost.StartAsync(null,
            "--Sites:Sites:0:Id=paris", "--Sites:Sites:0:Hosts:0=paris.example", "--Sites:Sites:0:TimeZone=Europe/Paris", "--Sites:Sites:0:RetentionDays=30");

        var analysts = host.App.Services.GetRequiredService<IOptions<AnalystsOptions>>().Value;
        var retention = host.App.Services.GetRequiredService<IOptions<RetentionOptions>>().Value;

        Assert.That(analysts.TimeZones["paris"], Is.EqualTo("Europe/Paris"));
        Assert.That(retention.RawDaysFor("paris"), Is.EqualTo(30));
    }

    [Test]
    public async Task An_explicit_setting_in_the_components_own_section_wins()
    {
        await using var host = await RunningHost.StartAsync(null,
            "--Sites:Sites:0:Id=paris", "--Sites:Sites:0:Hosts:0=paris.example", "--Sites:Sites:0:TimeZone=Europe/Paris",
            "--Analysts:TimeZones:paris=Asia/Tokyo");

        var analysts = host.App.Services.GetRequiredService<IOptions<AnalystsOptions>>().Value;

        Assert.That(analysts.TimeZones["paris"], Is.EqualTo("Asia/Tokyo"));
    }
}
