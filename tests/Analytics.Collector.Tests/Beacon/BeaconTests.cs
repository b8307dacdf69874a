using System.Net;
using Analytics.Collector.Beacon;
using Analytics.Collector.Identity;
using Analytics.Collector.Pipeline;
using Analytics.Pipeline.Hits;
using Microsoft.Extensions.Options;

namespace Analytics.Collector.Tests.Beacon;

public class BeaconTests
{
    private const string Page = "/i.gif?site=demo&url=http%3A%2F%2Flocalhost%2Fa";

    [Test]
    public async Task A_new_browser_gets_a_signed_cookie_with_the_configured_attributes_and_is_flagged_new()
    {
        await using var server = await CollectorServer.StartAsync();
        using var browser = server.NewBrowser();

        using var response = await browser.GetAsync(Page);

        var setCookie = response.SetCookies().Single();
        Assert.That(setCookie, Does.Match("^_vid=[A-Za-z0-9_-]{48}; max-age=34128000; path=/; samesite=lax; httponly$"));
        var hit = server.Sink.Hits.Single();
        Assert.That(hit.IsNewVisitor, Is.True);
        Assert.That(hit.VisitorId, Is.Not.EqualTo(Guid.Empty));
        var cookie = server.App.Services.GetRequiredService<VisitorCookie>();
        Assert.That(cookie.TryRead(response.SetCookieValue("_vid"), VisitorCookie.DayOf(DateTime.UtcNow), out var id, out _), Is.True);
        Assert.That(id, Is.EqualTo(hit.VisitorId));
    }

    [Test]
    public async Task A_cross_site_deployment_sets_a_secure_partitioned_samesite_none_cookie_with_its_domain()
    {
        await using var server = await CollectorServer.StartAsync("--Identity:SameSite=None", "--Identity:Domain=localhost", "--Identity:Lifetime=30.00:00:00");
        using var browser = server.NewRawClient();

        using var response = await browser.GetAsync(Page);

        var setCookie = response.SetCookies().Single();
        Assert.That(setCookie, Does.Contain("max-age=2592000"));
        Assert.That(setCookie, Does.Contain("domain=localhost"));
        Assert.That(setCookie, Does.Contain("secure"));
        Assert.That(setCookie, Does.Contain("samesite=none"));
        Assert.That(setCookie, Does.Contain("Partitioned"));
    }

    [Test]
    public async Task A_returning_browser_keeps_its_id_and_gets_no_new_cookie_the_same_day()
    {
        await using var server = await CollectorServer.StartAsync();
        using var browser = server.NewBrowser();

        using var first = await browser.GetAsync(Page);
        using var second = await browser.GetAsync(Page);

        Assert.That(second.SetCookies(), Is.Empty);
        var hits = server.Sink.Hits.ToArray();
        Assert.That(hits[1].VisitorId, Is.EqualTo(hits[0].VisitorId));
        Assert.That(hits[1].IsNewVisitor, Is.False);
    }

    [Test]
    public async Task A_cookie_issued_on_an_earlier_day_is_refreshed_with_the_same_id()
    {
        await using var server = await CollectorServer.StartAsync();
        var cookie = server.App.Services.GetRequiredService<VisitorCookie>();
        var id = VisitorCookie.NewId();
        using var client = server.NewRawClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, Page);
        request.Headers.Add("Cookie", "_vid=" + cookie.Format(id, VisitorCookie.DayOf(DateTime.UtcNow) - 3));

        using var response = await client.SendAsync(request);

        Assert.That(cookie.TryRead(response.SetCookieValue("_vid"), VisitorCookie.DayOf(DateTime.UtcNow), out var refreshed, out var reissue), Is.True);
        Assert.That(refreshed, Is.EqualTo(id));
        Assert.That(reissue, Is.False);
        Assert.That(server.Sink.Hits.Single().IsNewVisitor, Is.False);
    }

    [Test]
    public async Task Forged_and_tampered_cookies_are_replaced_by_a_new_id()
    {
        await using var server = await CollectorServer.StartAsync();
        var genuine = server.App.Services.GetRequiredService<VisitorCookie>();
        var forger = new VisitorCookie(new SigningKeys(Options.Create(new SigningOptions { Keys = [CollectorServer.KeyB] })), Options.Create(new IdentityOptions()));
        var today = VisitorCookie.DayOf(DateTime.UtcNow);
        var known = VisitorCookie.NewId();
        var good = genuine.Format(known, today);
        string[] bad =
        [
            forger.Format(known, today),
            good[..10] + (good[10] == 'A' ? 'B' : 'A') + good[11..],
            good[..^1],
            "0123456789abcdef0123456789abcdef",
            new string('A', VisitorCookie.ValueLength),
        ];
        using var client = server.NewRawClient();

        foreach (var value in bad)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, Page);
            request.Headers.Add("Cookie", "_vid=" + value);
            using var response = await client.SendAsync(request);

            Assert.That(response.SetCookieValue("_vid"), Is.Not.Null.And.Not.EqualTo(value), value);
        }
        var hits = server.Sink.Hits.ToArray();
        Assert.That(hits, Has.Length.EqualTo(bad.Length));
        Assert.That(hits.Select(h => h.VisitorId), Is.Unique.And.No.EqualTo(known));
        Assert.That(hits.All(h => h.IsNewVisitor), Is.True);
    }

    [Test]
    public async Task After_a_key_rotation_old_cookies_keep_their_id_and_are_resigned()
    {
        var id = VisitorCookie.NewId();
        string oldValue;
        await using (var before = await CollectorServer.StartAsync())
        {
            oldValue = before.App.Services.GetRequiredService<VisitorCookie>().Format(id, VisitorCookie.DayOf(DateTime.UtcNow));
        }
        await using var after = await CollectorServer.StartAsync("--Signing:Keys:0=" + CollectorServer.KeyB, "--Signing:Keys:1=" + CollectorServer.KeyA);
        using var client = after.NewRawClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, Page);
        request.Headers.Add("Cookie", "_vid=" + oldValue);

        using var response = await client.SendAsync(request);

        Assert.That(after.Sink.Hits.Single().VisitorId, Is.EqualTo(id));
        var resigned = response.SetCookieValue("_vid");
        Assert.That(resigned, Is.Not.Null.And.Not.EqualTo(oldValue));
        var newKeyOnly = new VisitorCookie(new SigningKeys(Options.Create(new SigningOptions { Keys = [CollectorServer.KeyB] })), Options.Create(new IdentityOptions()));
        Assert.That(newKeyOnly.TryRead(resigned, VisitorCookie.DayOf(DateTime.UtcNow), out var read, out _), Is.True);
        Assert.That(read, Is.EqualTo(id));
    }

    [TestCase("DNT", "1")]
    [TestCase("Sec-GPC", "1")]
    public async Task A_privacy_signal_makes_the_hit_anonymous_with_no_cookie(string header, string value)
    {
        await using var server = await CollectorServer.StartAsync();
        var existing = server.App.Services.GetRequiredService<VisitorCookie>().Format(VisitorCookie.NewId(), VisitorCookie.DayOf(DateTime.UtcNow));
        using var client = server.NewRawClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, Page);
        request.Headers.Add(header, value);
        request.Headers.Add("Cookie", "_vid=" + existing);

        using var response = await client.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.SetCookies(), Is.Empty);
        var hit = server.Sink.Hits.Single();
        Assert.That(hit.VisitorId, Is.EqualTo(Guid.Empty), "the existing ID is not used either");
        Assert.That(hit.IsNewVisitor, Is.False);
    }

    [TestCase("DNT", "0")]
    [TestCase("Sec-GPC", "0")]
    public async Task A_signal_that_says_no_objection_keeps_the_visitor_id(string header, string value)
    {
        await using var server = await CollectorServer.StartAsync();
        using var client = server.NewRawClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, Page);
        request.Headers.Add(header, value);

        using var response = await client.SendAsync(request);

        Assert.That(response.SetCookies(), Has.Count.EqualTo(1));
        Assert.That(server.Sink.Hits.Single().VisitorId, Is.Not.EqualTo(Guid.Empty));
    }

    [Test]
    public async Task Do_not_track_can_be_switched_off_by_the_deployment_but_gpc_still_counts()
    {
        await using var server = await CollectorServer.StartAsync("--Identity:HonorDoNotTrack=false");
        using var client = server.NewRawClient();
        using var dnt = new HttpRequestMessage(HttpMethod.Get, Page);
        dnt.Headers.Add("DNT", "1");
        using var gpc = new HttpRequestMessage(HttpMethod.Get, Page);
        gpc.Headers.Add("Sec-GPC", "1");

        using var first = await client.SendAsync(dnt);
        using var second = await client.SendAsync(gpc);

        var hits = server.Sink.Hits.ToArray();
        Assert.That(hits[0].VisitorId, Is.Not.EqualTo(Guid.Empty));
        Assert.That(hits[1].VisitorId, Is.EqualTo(Guid.Empty));
    }

    [Test]
    public async Task A_site_in_drop_mode_stores_nothing_for_a_declining_visitor_but_answers_the_gif()
    {
        await using var server = await CollectorServer.StartAsync();
        using var client = server.NewRawClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/i.gif?site=strict&url=https%3A%2F%2Fstrict.example%2F");
        request.Headers.Add("Sec-GPC", "1");

        using var response = await client.SendAsync(request);

        Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.EqualTo(TransparentGif.Bytes.ToArray()));
        Assert.That(response.SetCookies(), Is.Empty);
        Assert.That(server.Sink.Hits, Is.Empty);
        Assert.That(server.Metrics.RejectedCount(DropReason.ConsentDeclined), Is.EqualTo(1));
    }

    [TestCase("Origin", "https://evil.example")]
    [TestCase("Origin", "null")]
    [TestCase("Referer", "https://evil.example/page")]
    [TestCase("Referer", "https://localhost.evil.example/")]
    [TestCase("Referer", "https://localhost@evil.example/")]
    public async Task A_beacon_whose_origin_or_referer_is_not_the_sites_is_rejected(string header, string value)
    {
        await using var server = await CollectorServer.StartAsync();
        using var client = server.NewRawClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, Page);
        request.Headers.TryAddWithoutValidation(header, value);

        using var response = await client.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.SetCookies(), Is.Empty, "no cookie for a rejected hit");
        Assert.That(server.Sink.Hits, Is.Empty);
        Assert.That(server.Metrics.RejectedCount(DropReason.ForeignHost), Is.EqualTo(1));
        Assert.That(response.Headers.GetValues(BeaconEndpoints.DroppedHeader), Is.EqualTo(new[] { "ForeignHost" }));
    }

    [TestCase("Origin", "http://localhost:8080")]
    [TestCase("Referer", "http://LOCALHOST/a?b=c")]
    [TestCase("Referer", "https://www.example.com/")]
    public async Task A_beacon_from_the_sites_own_origin_or_referer_is_accepted(string header, string value)
    {
        await using var server = await CollectorServer.StartAsync();
        using var client = server.NewRawClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, Page);
        request.Headers.TryAddWithoutValidation(header, value);

        using var response = await client.SendAsync(request);

        Assert.That(server.Sink.Hits, Has.Count.EqualTo(1));
        Assert.That(response.Headers.Contains(BeaconEndpoints.DroppedHeader), Is.False, "a stored hit is not marked dropped");
    }

    [Test]
    public async Task Custom_events_carry_their_name_props_and_outbound_target_without_its_query()
    {
        await using var server = await CollectorServer.StartAsync();
        using var browser = server.NewBrowser();

        using var response = await browser.GetAsync(Page + "&e=Outbound%20Link&l=https%3A%2F%2Fother.example%2Fx%3Ftoken%3Dsecret&p.plan=pro&p.size=" + new string('s', 400));

        var hit = server.Sink.Hits.Single();
        Assert.That(hit.Kind, Is.EqualTo(HitKind.Event));
        Assert.That(hit.EventName, Is.EqualTo("Outbound Link"));
        Assert.That(hit.LinkTarget, Is.EqualTo("https://other.example/x"));
        Assert.That(hit.Props["plan"], Is.EqualTo("pro"));
        Assert.That(hit.Props["size"], Has.Length.EqualTo(300), "values are cut to MaxPropValueLength");
    }

    [Test]
    public async Task Too_many_props_reject_the_hit()
    {
        await using var server = await CollectorServer.StartAsync();
        using var browser = server.NewBrowser();
        var props = string.Concat(Enumerable.Range(0, 9).Select(i => $"&p.k{i}=v"));

        using var response = await browser.GetAsync(Page + props);

        Assert.That(server.Sink.Hits, Is.Empty);
        Assert.That(server.Metrics.RejectedCount(DropReason.TooLong), Is.EqualTo(1));
    }

    [Test]
    public async Task Property_names_over_the_set_length_reject_the_hit_and_values_are_cut_to_the_set_length()
    {
        await using var server = await CollectorServer.StartAsync("--Collector:MaxPropNameLength=10", "--Collector:MaxPropValueLength=20");
        using var browser = server.NewBrowser();

        using (var tooLong = await browser.GetAsync(Page + "&p." + new string('n', 11) + "=v"))
        {
            Assert.That(server.Metrics.RejectedCount(DropReason.TooLong), Is.EqualTo(1));
        }
        using var response = await browser.GetAsync(Page + "&p." + new string('n', 10) + "=" + new string('v', 50));

        var hit = server.Sink.Hits.Single();
        Assert.That(hit.Props[new string('n', 10)], Is.EqualTo(new string('v', 20)));
    }

    [Test]
    public async Task A_stuck_transport_delays_the_gif_at_most_the_hand_off_timeout_and_the_hit_counts_as_overloaded()
    {
        await using var server = await CollectorServer.StartAsync("--Collector:HandOffTimeout=00:00:00.100");
        using var browser = server.NewBrowser();
        using (var warm = await browser.GetAsync(Page))
        {
            Assert.That(server.Metrics.AcceptedCount, Is.EqualTo(1));
        }
        server.Sink.Block();
        try
        {
            for (var i = 0; i < 2; i++)
            {
                using var response = await browser.GetAsync(Page);
                Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.EqualTo(TransparentGif.Bytes.ToArray()));
            }
        }
        finally
        {
            server.Sink.Unblock();
        }
        using var after = await browser.GetAsync(Page);

        Assert.That(server.Metrics.RejectedCount(DropReason.Overloaded), Is.EqualTo(2));
        Assert.That(server.Metrics.AcceptedCount, Is.EqualTo(2), "a fired timeout is not reused for the next hit");
    }

    [Test]
    public async Task The_snippet_is_served_small_and_cacheable()
    {
        await using var server = await CollectorServer.StartAsync();
        using var browser = server.NewBrowser();

        using var response = await browser.GetAsync("/a.js");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Content.Headers.ContentType!.MediaType, Is.EqualTo("text/javascript"));
        Assert.That(response.Headers.CacheControl!.Public, Is.True);
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(body.Length, Is.LessThan(2048));
        Assert.That(body, Does.Contain("sendBeacon").And.Contain("pushState").And.Contain("/i.gif?"));
    }
}
