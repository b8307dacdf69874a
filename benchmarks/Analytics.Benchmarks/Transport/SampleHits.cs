using Analytics.Pipeline.Hits;

namespace Analytics.Benchmarks.Transport;

/// <summary>A realistic enriched pageview: what a typical message carries.</summary>
internal static class SampleHits
{
    public static Hit Pageview(int i) => new()
    {
        HitId = Guid.CreateVersion7(),
        SiteId = "demo",
        Timestamp = DateTime.UtcNow,
        VisitorId = Guid.NewGuid(),
        IsNewVisitor = i % 3 == 0,
        Kind = HitKind.Pageview,
        Hostname = "www.example.com",
        Path = "/blog/2026/privacy-first-analytics/" + i,
        Title = "Privacy-first analytics, explained",
        Referrer = "https://www.google.com/",
        Source = "google",
        Channel = "search",
        UtmSource = i % 5 == 0 ? "newsletter" : "",
        Country = "DE",
        Region = "DE-BE",
        City = "Berlin",
        Browser = "Firefox",
        BrowserVersion = "140",
        Os = "Linux",
        DeviceType = "desktop",
        ScreenWidth = 1920,
    };
}
