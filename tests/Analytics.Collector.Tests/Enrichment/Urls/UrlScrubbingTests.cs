using Analytics.Collector.Enrichment.Urls;

namespace Analytics.Collector.Tests.Enrichment.Urls;

public class UrlScrubbingTests
{
    private CollectorHarness _collector = null!;

    [OneTimeSetUp]
    public async Task Start() => _collector = await CollectorHarness.StartAsync(
        ("Sites:Sites:0:KeepQueryParameters:0", "page"),
        ("Sites:Sites:0:KeepQueryParameters:1", "q"));

    [OneTimeTearDown]
    public async Task Stop() => await _collector.DisposeAsync();

    [TestCase("https://shop.example.com/users/jane.doe@example.com/settings", "/users/[email]/settings")]
    [TestCase("https://shop.example.com/users/jane.doe%40example.com", "/users/[email]")]
    [TestCase("https://shop.example.com/reset/3f2a9c0e8b7d4e1fa2b3c4d5e6f70812/confirm", "/reset/[token]/confirm")]
    [TestCase("https://shop.example.com/orders/550e8400-e29b-41d4-a716-446655440000", "/orders/[token]")]
    [TestCase("https://shop.example.com/orders/order-550E8400-E29B-41D4-A716-446655440000.pdf", "/orders/[token]")]
    [TestCase("https://shop.example.com/s/eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N", "/s/[token]")]
    [TestCase("https://shop.example.com/card/4111111111111111", "/card/[token]")]
    [TestCase("https://shop.example.com/blog/privacy-first-analytics-in-2026", "/blog/privacy-first-analytics-in-2026")]
    [TestCase("https://shop.example.com/products/red-shoes-42?color=red&session=abc#reviews", "/products/red-shoes-42")]
    [TestCase("https://shop.example.com/list?page=2&sort=price&q=boots", "/list?page=2&q=boots")]
    [TestCase("https://shop.example.com/search?q=jane%40example.com", "/search?q=%5Bemail%5D")]
    [TestCase("https://shop.example.com/Datenschutzerklaerung", "/Datenschutzerklaerung")]
    public async Task Stored_paths_keep_no_personal_data_and_only_allowed_parameters(string url, string path)
    {
        var hit = await _collector.SendAsync(url);

        Assert.That(hit?.Path, Is.EqualTo(path));
    }

    [Test]
    public async Task A_referrer_path_is_scrubbed_too()
    {
        var hit = await _collector.SendAsync("https://shop.example.com/", "https://app.example.net/invite/jane@example.com/k9Fq2LmX8pR4tZ7wB3nV?t=1");

        Assert.That(hit?.Referrer, Is.EqualTo("https://app.example.net/invite/[email]/[token]"));
    }

    [Test]
    public void A_clean_path_is_returned_without_a_copy()
    {
        const string path = "/blog/2026/11/privacy-first-analytics";

        Assert.That(UrlScrubber.ScrubPath(path), Is.SameAs(path));
    }
}
