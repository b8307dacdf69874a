using System.Text.Json;
using Analytics.Collector.Enrichment.Bots;
using Analytics.Collector.Tests.Enrichment.UserAgents;
using Analytics.Pipeline;

namespace Analytics.Collector.Tests.Enrichment.Bots;

public class BotDetectorTests
{
    [Test]
    public void Every_example_in_the_crawler_list_is_a_bot()
    {
        using var json = JsonDocument.Parse(File.ReadAllBytes(DependencyCache.PathOf("crawlers/crawler-user-agents.json")));
        var examples = json.RootElement.EnumerateArray()
            .SelectMany(e => e.TryGetProperty("instances", out var i) ? i.EnumerateArray().Select(x => x.GetString()!) : [])
            .ToList();

        var missed = examples.Where(ua => !UserAgentClassifierTests.Shared.Value.Describe(ua).IsBot).ToList();

        TestContext.Out.WriteLine($"{examples.Count - missed.Count} of {examples.Count} crawler examples detected");
        Assert.That(examples, Has.Count.GreaterThan(1000));
        Assert.That(missed, Is.Empty);
    }

    [TestCase("Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)")]
    [TestCase("Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)")]
    [TestCase("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36")]
    [TestCase("python-requests/2.32.3")]
    [TestCase("curl/8.5.0")]
    [TestCase("")]
    [TestCase(null)]
    public void Crawlers_tools_headless_browsers_and_missing_user_agents_are_bots(string? ua)
    {
        var d = UserAgentClassifierTests.Shared.Value.Describe(ua);

        Assert.That(d.IsBot, Is.True);
        Assert.That(d.DeviceType, Is.EqualTo("bot"));
    }

    [TestCase("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0")]
    [TestCase("Mozilla/5.0 (Linux; Android 14; SM-S921B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36")]
    [TestCase("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1")]
    [TestCase("Mozilla/5.0 (Macintosh; Intel Mac OS X 14.7; rv:133.0) Gecko/20100101 Firefox/133.0")]
    public void Everyday_browsers_are_not_bots(string ua)
    {
        Assert.That(UserAgentClassifierTests.Shared.Value.Describe(ua).IsBot, Is.False);
    }

    [Test]
    public void Headless_browsers_can_be_counted_as_people()
    {
        var detector = new BotDetector([], headlessIsBot: false);
        var device = new Analytics.Collector.Enrichment.UserAgents.UapDevice("Other", null, null);

        Assert.That(detector.IsBot("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36", device), Is.False);
    }

    [TestCase(@"Googlebot\/", "Googlebot/")]
    [TestCase(@"Mediapartners \(Googlebot\)", "Mediapartners (Googlebot)")]
    [TestCase("facebookexternalhit", "facebookexternalhit")]
    [TestCase(@"^Seekbot", null)]
    [TestCase(@"[wW]get", null)]
    [TestCase(@"AdsBot-Google([^-]|$)", null)]
    [TestCase(@"\bbot", null)]
    public void Plain_text_patterns_are_searched_as_text(string pattern, string? literal)
    {
        Assert.That(BotDetector.AsLiteral(pattern), Is.EqualTo(literal));
    }
}
