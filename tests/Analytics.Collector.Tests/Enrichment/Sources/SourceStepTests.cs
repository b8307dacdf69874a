namespace Analytics.Collector.Tests.Enrichment.Sources;

public class SourceStepTests
{
    private CollectorHarness _collector = null!;

    [OneTimeSetUp]
    public async Task Start() => _collector = await CollectorHarness.StartAsync(
        ("Sites:Sites:0:KeepQueryParameters:0", "page"));

    [OneTimeTearDown]
    public async Task Stop() => await _collector.DisposeAsync();

    [TestCase("https://www.google.com/", "search", "Google", "https://www.google.com/")]
    [TestCase("https://www.google.co.uk/search?q=private+analytics&client=firefox", "search", "Google", "https://www.google.co.uk/search")]
    [TestCase("https://duckduckgo.com/?q=shop", "search", "DuckDuckGo", "https://duckduckgo.com/")]
    [TestCase("https://www.bing.com/search?q=shoes&form=QBLH", "search", "Bing", "https://www.bing.com/search")]
    [TestCase("https://l.facebook.com/l.php?u=https%3A%2F%2Fshop.example.com%2F&h=AT0abc", "social", "Facebook", "https://l.facebook.com/l.php")]
    [TestCase("https://t.co/AbCdEf123", "social", "Twitter", "https://t.co/AbCdEf123")]
    [TestCase("https://www.reddit.com/r/privacy/comments/1abcde/some_thread/", "social", "Reddit", "https://www.reddit.com/r/privacy/comments/1abcde/some_thread/")]
    [TestCase("https://mail.google.com/mail/u/0/", "email", "Gmail", "https://mail.google.com/mail/u/0/")]
    [TestCase("https://en.wikipedia.org/wiki/Web_beacon", "referral", "Wikipedia", "https://en.wikipedia.org/wiki/Web_beacon")]
    [TestCase("https://Blog.Example.ORG/post/1?x=y#frag", "referral", "blog.example.org", "https://blog.example.org/post/1")]
    [TestCase("https://user:secret@partner.example.net:8443/links", "referral", "partner.example.net", "https://partner.example.net/links")]
    public async Task Referrers_give_source_channel_and_a_scrubbed_referrer(string referrer, string channel, string source, string stored)
    {
        var hit = await Send("https://shop.example.com/", referrer);

        Assert.That(new[] { hit.Channel, hit.Source, hit.Referrer }, Is.EqualTo(new[] { channel, source, stored }));
    }

    [TestCase("https://shop.example.com/cart")]
    [TestCase("https://WWW.shop.example.com/")]
    [TestCase(null)]
    [TestCase("")]
    [TestCase("not a url")]
    public async Task Navigation_within_the_site_and_no_referrer_are_direct(string? referrer)
    {
        var hit = await Send("https://shop.example.com/checkout", referrer);

        Assert.That(new[] { hit.Channel, hit.Source, hit.Referrer }, Is.EqualTo(new[] { "direct", "", "" }));
    }

    [TestCase("?utm_source=google&utm_medium=cpc&utm_campaign=winter", null, "paid", "Google")]
    [TestCase("?utm_source=newsletter&utm_medium=email&utm_campaign=2026-11", null, "email", "newsletter")]
    [TestCase("?utm_source=Facebook&utm_medium=social", null, "social", "Facebook")]
    [TestCase("?utm_source=facebook", null, "social", "Facebook")]
    [TestCase("?ref=producthunt", null, "referral", "producthunt")]
    [TestCase("?source=Partner-Site", null, "referral", "partner-site")]
    [TestCase("?gclid=Cj0KCQiA", "https://www.google.com/", "paid", "Google")]
    [TestCase("?utm_medium=email", "https://mail.google.com/", "email", "Gmail")]
    public async Task Campaign_parameters_set_the_channel_and_source(string query, string? referrer, string channel, string source)
    {
        var hit = await Send("https://shop.example.com/landing" + query, referrer);

        Assert.That(new[] { hit.Channel, hit.Source }, Is.EqualTo(new[] { channel, source }));
    }

    [Test]
    public async Task All_five_utm_fields_are_kept_decoded()
    {
        var hit = await Send("https://shop.example.com/?utm_source=news+letter&utm_medium=email&utm_campaign=black%20friday&utm_term=red+shoes&utm_content=hero-banner&fbclid=x");

        Assert.That(new[] { hit.UtmSource, hit.UtmMedium, hit.UtmCampaign, hit.UtmTerm, hit.UtmContent },
            Is.EqualTo(new[] { "news letter", "email", "black friday", "red shoes", "hero-banner" }));
    }

    [Test]
    public async Task Personal_data_in_campaign_values_is_redacted()
    {
        var hit = await Send("https://shop.example.com/?utm_source=newsletter&utm_content=jane.doe%40example.com&utm_term=a1b2c3d4e5f6a7b8c9d0");

        Assert.That(hit.UtmContent, Is.EqualTo("[email]"));
        Assert.That(hit.UtmTerm, Is.EqualTo("[token]"));
    }

    private async Task<Analytics.Pipeline.Hits.Hit> Send(string url, string? referrer = null)
    {
        var hit = await _collector.SendAsync(url, referrer);
        Assert.That(hit, Is.Not.Null, "the hit was dropped");
        return hit!;
    }
}
