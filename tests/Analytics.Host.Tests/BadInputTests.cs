using System.Net;
using Analytics.Collector.Beacon;
using Analytics.Collector.Pipeline;

namespace Analytics.Host.Tests;

public class BadInputTests
{
    private static readonly string LongUrl = "http://localhost/" + new string('a', 3000);

    private static IEnumerable<TestCaseData> Rejected()
    {
        yield return new TestCaseData("/i.gif?url=http%3A%2F%2Flocalhost%2F", DropReason.MissingSite).SetName("Beacon_without_site_is_rejected");
        yield return new TestCaseData("/i.gif?site=nope&url=http%3A%2F%2Flocalhost%2F", DropReason.UnknownSite).SetName("Beacon_for_unknown_site_is_rejected");
        yield return new TestCaseData("/i.gif?site=demo", DropReason.MissingUrl).SetName("Beacon_without_url_is_rejected");
        yield return new TestCaseData("/i.gif?site=demo&url=" + Uri.EscapeDataString(LongUrl), DropReason.TooLong).SetName("Beacon_with_oversized_url_is_rejected");
        yield return new TestCaseData("/i.gif?site=demo&url=http%3A%2F%2Flocalhost%2F%C3%28", DropReason.InvalidEncoding).SetName("Beacon_with_invalid_utf8_is_rejected");
        yield return new TestCaseData("/i.gif?site=demo&url=http%3A%2F%2Flocalhost%2F%01", DropReason.InvalidEncoding).SetName("Beacon_with_control_character_is_rejected");
        yield return new TestCaseData("/i.gif?site=demo&url=javascript%3Aalert(1)", DropReason.InvalidUrl).SetName("Beacon_with_non_http_url_is_rejected");
        yield return new TestCaseData("/i.gif?site=demo&url=http%3A%2F%2Fevil.example%2F", DropReason.ForeignHost).SetName("Beacon_from_unregistered_host_is_rejected");
    }

    [TestCaseSource(nameof(Rejected))]
    public async Task Bad_beacon_gets_its_gif_is_not_stored_and_is_counted(string path, DropReason reason)
    {
        await using var host = await RunningHost.StartAsync();
        var metrics = host.App.Services.GetRequiredService<CollectorMetrics>();
        using var browser = host.NewBrowser();

        using var response = await browser.GetAsync(path);
        // A good beacon afterwards proves the pipeline flushed past the bad one.
        using var good = await browser.GetAsync("/i.gif?site=demo&url=http%3A%2F%2Flocalhost%2Fok");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.EqualTo(TransparentGif.Bytes.ToArray()));
        Assert.That(metrics.RejectedCount(reason), Is.EqualTo(1));
        var stats = await host.WaitForStatsAsync("demo", s => s.Days.Sum(d => d.Pageviews) >= 1);
        Assert.That(stats.Days.Sum(d => d.Pageviews), Is.EqualTo(1));
    }

    [TestCase("not-a-valid-id")]
    [TestCase("0123456789ABCDEF0123456789ABCDEF")]
    [TestCase("00000000000000000000000000000000")]
    [TestCase("0123456789abcdef0123456789abcdef0")]
    public async Task Malformed_visitor_cookie_is_never_trusted_and_a_new_id_is_issued(string cookieValue)
    {
        await using var host = await RunningHost.StartAsync();
        var jar = new CookieContainer();
        jar.Add(host.Address, new Cookie("_vid", cookieValue));
        using var browser = host.NewBrowser(jar);

        using var response = await browser.GetAsync("/i.gif?site=demo&url=http%3A%2F%2Flocalhost%2F");
        using var again = await browser.GetAsync("/i.gif?site=demo&url=http%3A%2F%2Flocalhost%2F2");

        var issued = response.Headers.GetValues("Set-Cookie").Single();
        Assert.That(issued, Does.Match("^_vid=[A-Za-z0-9_-]{48};"));
        Assert.That(issued, Does.Not.Contain(cookieValue));
        Assert.That(again.Headers.Contains("Set-Cookie"), Is.False, "the new ID is kept by the browser");
        var stats = await host.WaitForStatsAsync("demo", s => s.Days.Sum(d => d.Pageviews) >= 2);
        Assert.That(stats.Days.Single().Visitors, Is.EqualTo(1), "both hits count under the newly issued ID");
    }

    [Test]
    public async Task Host_never_answers_5xx_to_random_beacon_queries()
    {
        var seed = Environment.TickCount;
        TestContext.Out.WriteLine($"seed {seed}");
        var random = new Random(seed);
        await using var host = await RunningHost.StartAsync();
        using var browser = host.NewBrowser();
        string[] keys = ["site", "url", "ref", "t", "e", "w", "x", "%00", "site[]"];
        for (var i = 0; i < 200; i++)
        {
            var query = string.Join("&", Enumerable.Range(0, random.Next(0, 6)).Select(_ =>
                keys[random.Next(keys.Length)] + "=" + RandomEncoded(random)));
            using var response = await browser.GetAsync("/i.gif?" + query);
            Assert.That((int)response.StatusCode, Is.EqualTo(200), query);
        }
    }

    private static string RandomEncoded(Random random)
    {
        var bytes = new byte[random.Next(0, 40)];
        random.NextBytes(bytes);
        return string.Concat(bytes.Select(b => random.Next(3) == 0 ? ((char)('a' + (b % 26))).ToString() : "%" + b.ToString("X2")));
    }
}
