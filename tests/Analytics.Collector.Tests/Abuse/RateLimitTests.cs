using System.Net;
using Analytics.Collector.Beacon;
using Analytics.Collector.Pipeline;

namespace Analytics.Collector.Tests.Abuse;

public class RateLimitTests
{
    [Test]
    public async Task A_client_over_its_limit_still_gets_gifs_but_its_hits_are_dropped_and_counted()
    {
        // One hit a second regained: the 8 beacons below run far faster than that.
        await using var server = await CollectorServer.StartAsync("--RateLimit:Burst=5", "--RateLimit:PerSecond=1");
        using var browser = server.NewBrowser();

        var markedDropped = 0;
        for (var i = 0; i < 8; i++)
        {
            using var response = await browser.GetAsync($"/i.gif?site=demo&url=http%3A%2F%2Flocalhost%2F{i}");
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.EqualTo(TransparentGif.Bytes.ToArray()));
            if (response.Headers.TryGetValues(BeaconEndpoints.DroppedHeader, out var reasons))
            {
                Assert.That(reasons, Is.EqualTo(new[] { "RateLimited" }));
                markedDropped++;
            }
        }

        Assert.That(server.Sink.Hits.Count, Is.InRange(5, 6));
        Assert.That(server.Metrics.RejectedCount(DropReason.RateLimited), Is.EqualTo(8 - server.Sink.Hits.Count));
        // The client can count what was stored from the answers alone: the dropped ones say so.
        Assert.That(markedDropped, Is.EqualTo(8 - server.Sink.Hits.Count));
    }
}
