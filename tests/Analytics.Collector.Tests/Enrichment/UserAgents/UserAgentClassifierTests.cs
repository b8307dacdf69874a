using Analytics.Collector.Enrichment.UserAgents;

namespace Analytics.Collector.Tests.Enrichment.UserAgents;

public class UserAgentClassifierTests
{
    internal static readonly Lazy<UserAgentClassifier> Shared = new(() => UserAgentClassifier.Create(new UserAgentOptions()));

    [TestCase("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
        "Chrome", "131.0", "Windows", "10", "desktop")]
    [TestCase("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Safari/605.1.15",
        "Safari", "17.6", "Mac OS X", "10.15", "desktop")]
    [TestCase("Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
        "Firefox", "133.0", "Ubuntu", "", "desktop")]
    [TestCase("Mozilla/5.0 (iPhone; CPU iPhone OS 17_6_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1",
        "Mobile Safari", "17.6", "iOS", "17.6", "mobile")]
    [TestCase("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.81 Mobile Safari/537.36",
        "Chrome Mobile", "131.0", "Android", "14", "mobile")]
    [TestCase("Mozilla/5.0 (iPad; CPU OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1",
        "Mobile Safari", "17.6", "iOS", "17.6", "tablet")]
    [TestCase("Mozilla/5.0 (Linux; Android 13; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
        "Chrome", "131.0", "Android", "13", "tablet")]
    [TestCase("Mozilla/5.0 (PlayStation; PlayStation 5/2.26) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/13.0 Safari/605.1.15",
        "Safari", "13.0", "Other", "", "other")]
    [TestCase("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Googlebot", "2.1", "Other", "", "bot")]
    public void Real_user_agents_get_browser_os_and_device_type(string ua, string browser, string browserVersion, string os, string osVersion, string deviceType)
    {
        var d = Shared.Value.Describe(ua);

        Assert.That(new[] { d.Browser, d.BrowserVersion, d.Os, d.OsVersion, d.DeviceType }, Is.EqualTo(new[] { browser, browserVersion, os, osVersion, deviceType }));
        Assert.That(d.IsBot, Is.EqualTo(deviceType == "bot"));
    }

    [Test]
    public void A_repeated_user_agent_is_answered_from_the_cache()
    {
        var classifier = UserAgentClassifier.Create(new UserAgentOptions { CacheSize = 16 });
        const string ua = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0";

        var first = classifier.Describe(ua);
        var second = classifier.Describe(new string(ua.AsSpan()));

        Assert.That(second, Is.SameAs(first));
        Assert.That(classifier.CachedCount, Is.EqualTo(1));
    }

    [Test]
    public void The_cache_never_holds_more_than_its_capacity()
    {
        var classifier = UserAgentClassifier.Create(new UserAgentOptions { CacheSize = 16 });

        for (var i = 0; i < 100; i++)
        {
            classifier.Describe($"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{i}.0.0.0 Safari/537.36");
        }

        Assert.That(classifier.CachedCount, Is.EqualTo(16));
    }

    [Test]
    public void A_huge_user_agent_is_parsed_by_its_first_characters_only()
    {
        var ua = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 " + new string('a', 100_000);

        var d = Shared.Value.Describe(ua);

        Assert.That(d.Browser, Is.EqualTo("Chrome"));
    }
}
