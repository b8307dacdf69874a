using System.Net;

namespace Analytics.Host.Tests.Spool;

public class EmbeddedSpoolTests
{
    [Test]
    public async Task The_embedded_host_on_the_spool_transport_stores_every_beacon_it_answered()
    {
        var data = RunningHost.NewDataPath();
        const int hits = 30;
        await using (var host = await RunningHost.StartAsync(data, "--Transport:Kind=Spool", "--Spool:Path=" + Path.Combine(data, "spool")))
        {
            using var browser = host.NewBrowser();
            for (var i = 0; i < hits; i++)
            {
                using var response = await browser.GetAsync($"/i.gif?site=demo&url=http%3A%2F%2Flocalhost%2Fp{i}");
                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            }

            var stats = await host.WaitForStatsAsync("demo", s => s.Days.Sum(d => d.Pageviews) >= hits);

            Assert.That(stats.Days.Sum(d => d.Pageviews), Is.EqualTo(hits));
            Assert.That(Directory.Exists(Path.Combine(data, "spool")), Is.True);
        }
        Directory.Delete(data, recursive: true);
    }
}
