using System.Net;
using Analytics.Collector.Beacon;

namespace Analytics.Host.Tests;

public class EmbeddedPipelineTests
{
    [Test]
    public async Task Beacons_from_distinct_browsers_are_counted_as_pageviews_and_visitors_and_persist_across_restarts()
    {
        var seed = Environment.TickCount;
        TestContext.Out.WriteLine($"seed {seed}");
        var random = new Random(seed);
        var browsers = random.Next(2, 8);
        var beaconsPerBrowser = Enumerable.Range(0, browsers).Select(_ => random.Next(1, 6)).ToArray();
        var beacons = beaconsPerBrowser.Sum();

        var dataPath = RunningHost.NewDataPath();
        await using (var host = await RunningHost.StartAsync(dataPath))
        {
            foreach (var count in beaconsPerBrowser)
            {
                using var browser = host.NewBrowser();
                for (var i = 0; i < count; i++)
                {
                    using var response = await browser.GetAsync($"/i.gif?site=demo&url={Uri.EscapeDataString($"http://localhost/page/{i}")}&ref=");
                    Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
                    Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.EqualTo(TransparentGif.Bytes.ToArray()));
                }
            }

            var stats = await host.WaitForStatsAsync("demo", s => s.Days.Sum(d => d.Pageviews) >= beacons);
            Assert.That(stats.Days, Has.Count.EqualTo(1));
            Assert.That(stats.Days[0].Pageviews, Is.EqualTo(beacons));
            Assert.That(stats.Days[0].Visitors, Is.EqualTo(browsers));
        }

        await using (var again = await RunningHost.StartAsync(dataPath))
        {
            var stats = await again.DailyStatsAsync("demo");
            Assert.That(stats.Days.Sum(d => d.Pageviews), Is.EqualTo(beacons));
            Assert.That(stats.Days.Sum(d => d.Visitors), Is.EqualTo(browsers));
        }
    }

    [Test]
    public async Task Beacon_answers_a_gif_with_no_cache_headers_and_a_new_visitor_cookie()
    {
        await using var host = await RunningHost.StartAsync();
        using var browser = host.NewBrowser();

        using var response = await browser.GetAsync("/i.gif?site=demo&url=http%3A%2F%2Flocalhost%2F");

        Assert.That(response.Content.Headers.ContentType!.MediaType, Is.EqualTo("image/gif"));
        Assert.That(response.Content.Headers.ContentLength, Is.EqualTo(43));
        Assert.That(response.Headers.NonValidated["Cache-Control"].ToString(), Is.EqualTo("no-store, no-cache, must-revalidate, max-age=0"));
        Assert.That(response.Headers.Pragma.ToString(), Is.EqualTo("no-cache"));
        Assert.That(response.Content.Headers.GetValues("Expires").Single(), Is.EqualTo("0"));
        var cookie = response.Headers.GetValues("Set-Cookie").Single();
        Assert.That(cookie, Does.Match("^_vid=[A-Za-z0-9_-]{48};"));
        Assert.That(cookie, Does.Contain("httponly"));
    }

    [Test]
    public async Task A_returning_browser_keeps_its_visitor_id_and_gets_no_new_cookie()
    {
        await using var host = await RunningHost.StartAsync();
        using var browser = host.NewBrowser();

        using var first = await browser.GetAsync("/i.gif?site=demo&url=http%3A%2F%2Flocalhost%2Fa");
        using var second = await browser.GetAsync("/i.gif?site=demo&url=http%3A%2F%2Flocalhost%2Fb");

        Assert.That(first.Headers.Contains("Set-Cookie"), Is.True);
        Assert.That(second.Headers.Contains("Set-Cookie"), Is.False);
        var stats = await host.WaitForStatsAsync("demo", s => s.Days.Sum(d => d.Pageviews) >= 2);
        Assert.That(stats.Days.Single().Visitors, Is.EqualTo(1));
    }

    [Test]
    public async Task A_head_request_gets_the_gif_headers_and_stores_no_hit_and_sets_no_cookie()
    {
        await using var host = await RunningHost.StartAsync();
        using var browser = host.NewBrowser();

        using var head = await browser.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/i.gif?site=demo&url=http%3A%2F%2Flocalhost%2Fchecked"));
        using var get = await browser.GetAsync("/i.gif?site=demo&url=http%3A%2F%2Flocalhost%2Fviewed");

        Assert.That(head.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(head.Content.Headers.ContentType!.MediaType, Is.EqualTo("image/gif"));
        Assert.That(await head.Content.ReadAsByteArrayAsync(), Is.Empty);
        Assert.That(head.Headers.Contains("Set-Cookie"), Is.False);
        // The HEAD went through the queue first if it was queued at all: once the GET's hit is stored, so is any hit of the HEAD.
        var stats = await host.WaitForStatsAsync("demo", s => s.Days.Sum(d => d.Pageviews) >= 1);
        Assert.That(stats.Days.Sum(d => d.Pageviews), Is.EqualTo(1));
    }

    [Test]
    public async Task Stopping_the_host_stores_every_hit_it_acknowledged()
    {
        var dataPath = RunningHost.NewDataPath();
        const int beacons = 200;
        // A long flush interval: the hits are still queued when the host is asked to stop.
        await using (var host = await RunningHost.StartAsync(dataPath, "--Aggregator:FlushInterval=00:01:00", "--Aggregator:BatchSize=100000"))
        {
            using var browser = host.NewBrowser();
            for (var i = 0; i < beacons; i++)
            {
                using var response = await browser.GetAsync($"/i.gif?site=demo&url=http%3A%2F%2Flocalhost%2F{i}");
                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            }
        }

        await using var again = await RunningHost.StartAsync(dataPath);
        var stats = await again.DailyStatsAsync("demo");
        Assert.That(stats.Days.Sum(d => d.Pageviews), Is.EqualTo(beacons));
    }
}
