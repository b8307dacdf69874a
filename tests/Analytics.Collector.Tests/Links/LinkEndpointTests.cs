using System.Net;
using Analytics.Collector.Links;
using Analytics.Collector.Pipeline;
using Analytics.Pipeline.Hits;

namespace Analytics.Collector.Tests.Links;

public class LinkEndpointTests
{
    [Test]
    public async Task A_signed_link_redirects_and_records_an_anonymous_click_for_its_campaign()
    {
        await using var server = await CollectorServer.StartAsync();
        var link = server.App.Services.GetRequiredService<LinkSigner>().Sign("demo", "spring", "https://www.example.com/offer?x=1#top");
        using var browser = server.NewBrowser();

        using var response = await browser.GetAsync(link);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        Assert.That(response.Headers.Location, Is.EqualTo(new Uri("https://www.example.com/offer?x=1#top")));
        Assert.That(response.SetCookies(), Is.Empty, "a click is counted, not tied to a visitor");
        var hit = server.Sink.Hits.Single();
        Assert.That(hit.Kind, Is.EqualTo(HitKind.LinkClick));
        Assert.That(hit.LinkCampaign, Is.EqualTo("spring"));
        Assert.That(hit.LinkTarget, Is.EqualTo("https://www.example.com/offer"));
        Assert.That(hit.VisitorId, Is.EqualTo(Guid.Empty));
        Assert.That(hit.SiteId, Is.EqualTo("demo"));
    }

    private static IEnumerable<TestCaseData> Attempts()
    {
        const string Evil = "https%3A%2F%2Fevil.example%2F";
        yield return new TestCaseData($"/r/demo/spring?to={Evil}").SetName("A_link_without_a_signature_does_not_redirect");
        yield return new TestCaseData($"/r/demo/spring?to={Evil}&sig=AAAAAAAAAAAAAAAAAAAAAA").SetName("A_link_with_a_wrong_signature_does_not_redirect");
        yield return new TestCaseData("/r/demo/spring?to=%2F%2Fevil.example&sig=AAAAAAAAAAAAAAAAAAAAAA").SetName("A_protocol_relative_target_does_not_redirect");
        yield return new TestCaseData("/r/demo/spring?to=javascript%3Aalert(1)&sig=AAAAAAAAAAAAAAAAAAAAAA").SetName("A_javascript_target_does_not_redirect");
        yield return new TestCaseData("/r/demo/spring?to=%2F%5Cevil.example&sig=AAAAAAAAAAAAAAAAAAAAAA").SetName("A_backslash_target_does_not_redirect");
        yield return new TestCaseData("/r/demo/spring?to=%252F%252Fevil.example&sig=AAAAAAAAAAAAAAAAAAAAAA").SetName("A_double_encoded_target_does_not_redirect");
        yield return new TestCaseData("/r/demo/spring?to=https%3A%2F%2Fwww.example.com%40evil.example&sig=AAAAAAAAAAAAAAAAAAAAAA").SetName("A_user_info_target_does_not_redirect");
        yield return new TestCaseData("/r/demo/spring?to=https%3A%2F%2Fwww.example.com%0D%0ALocation%3A%20https%3A%2F%2Fevil&sig=AAAAAAAAAAAAAAAAAAAAAA").SetName("A_header_injection_target_does_not_redirect");
        yield return new TestCaseData("/r/demo/spring?to=a&to=b&sig=x&sig=y").SetName("Repeated_parameters_do_not_redirect");
        yield return new TestCaseData("/r/demo/spring").SetName("A_bare_link_does_not_redirect");
    }

    [TestCaseSource(nameof(Attempts))]
    public async Task Open_redirect_attempts_get_400_and_nothing_is_recorded(string path)
    {
        await using var server = await CollectorServer.StartAsync();
        using var browser = server.NewBrowser();

        using var response = await browser.GetAsync(path);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(response.Headers.Location, Is.Null);
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Not.Contain("evil"));
        Assert.That(server.Sink.Hits, Is.Empty);
    }

    [Test]
    public async Task A_signed_link_moved_to_another_campaign_or_target_does_not_redirect()
    {
        await using var server = await CollectorServer.StartAsync();
        var link = server.App.Services.GetRequiredService<LinkSigner>().Sign("demo", "spring", "https://www.example.com/");
        using var browser = server.NewBrowser();

        using var otherCampaign = await browser.GetAsync(link.Replace("/spring?", "/summer?", StringComparison.Ordinal));
        using var otherTarget = await browser.GetAsync(link.Replace("www.example.com", "evil.example", StringComparison.Ordinal));

        Assert.That(otherCampaign.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(otherTarget.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [Test]
    public async Task A_click_the_stuck_transport_never_takes_is_counted_as_overloaded_after_the_redirect()
    {
        await using var server = await CollectorServer.StartAsync("--Collector:HandOffTimeout=00:00:00.100");
        var link = server.App.Services.GetRequiredService<LinkSigner>().Sign("demo", "spring", "https://www.example.com/");
        server.Sink.Block();
        try
        {
            using var browser = server.NewBrowser();
            using var response = await browser.GetAsync(link);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));

            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
            while (server.Metrics.RejectedCount(DropReason.Overloaded) < 1)
            {
                Assert.That(DateTime.UtcNow, Is.LessThan(deadline), "the lost click is counted");
                await Task.Delay(20);
            }
            Assert.That(server.Metrics.AcceptedCount, Is.Zero);
        }
        finally
        {
            server.Sink.Unblock();
        }
    }

    [Test]
    public async Task The_redirect_does_not_wait_for_a_transport_that_is_stuck()
    {
        await using var server = await CollectorServer.StartAsync("--Collector:HandOffTimeout=00:00:30");
        var link = server.App.Services.GetRequiredService<LinkSigner>().Sign("demo", "spring", "https://www.example.com/");
        server.Sink.Block();
        try
        {
            using var browser = server.NewBrowser();
            // The transport holds every write for 30 s; the answer must come long before that.
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));

            using var response = await browser.GetAsync(link, timeout.Token);

            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        }
        finally
        {
            server.Sink.Unblock();
        }
    }
}
