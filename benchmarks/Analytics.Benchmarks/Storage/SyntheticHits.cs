using Analytics.Pipeline.Hits;

namespace Analytics.Benchmarks.Storage;

/// <summary>Realistic-looking hits from a fixed seed: repeat visitors, a few hundred pages, common dimensions.</summary>
internal sealed class SyntheticHits(int seed)
{
    private static readonly string[] Channels = ["direct", "search", "social", "email", "referral"];
    private static readonly string[] Countries = ["US", "DE", "FR", "GB", "IN", "BR", "JP", "NL"];
    private static readonly string[] Browsers = ["Chrome", "Firefox", "Safari", "Edge"];
    private static readonly string[] Systems = ["Windows", "macOS", "Linux", "iOS", "Android"];

    private readonly Random _random = new(seed);
    private readonly Guid[] _visitors = [.. Enumerable.Range(0, 100_000).Select(_ => Guid.NewGuid())];
    private DateTime _clock = new(2026, 11, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>The next <paramref name="count"/> hits, about 2,000 a second of traffic time.</summary>
    public List<Hit> Next(int count)
    {
        var hits = new List<Hit>(count);
        for (var i = 0; i < count; i++)
        {
            _clock = _clock.AddTicks(TimeSpan.TicksPerMillisecond / 2);
            var channel = Channels[_random.Next(Channels.Length)];
            var kind = _random.Next(10) switch { < 8 => HitKind.Pageview, 8 => HitKind.Event, _ => HitKind.LinkClick };
            hits.Add(new Hit
            {
                HitId = Guid.CreateVersion7(new DateTimeOffset(_clock)),
                SiteId = "site" + _random.Next(5),
                Timestamp = _clock,
                VisitorId = _random.Next(20) == 0 ? Guid.Empty : _visitors[(int)(Math.Pow(_random.NextDouble(), 2) * _visitors.Length)],
                Kind = kind,
                EventName = kind == HitKind.Event ? "signup" : "",
                Hostname = "www.example.com",
                Path = "/docs/page-" + (int)(Math.Pow(_random.NextDouble(), 3) * 500),
                Title = "A page title of ordinary length",
                Referrer = channel == "direct" ? "" : "https://" + channel + ".example/",
                Source = channel == "direct" ? "" : channel + ".example",
                Channel = channel,
                UtmCampaign = _random.Next(10) == 0 ? "winter" : "",
                Country = Countries[_random.Next(Countries.Length)],
                Region = "R" + _random.Next(10),
                City = "City " + _random.Next(50),
                Browser = Browsers[_random.Next(Browsers.Length)],
                BrowserVersion = (120 + _random.Next(10)).ToString(System.Globalization.CultureInfo.InvariantCulture),
                Os = Systems[_random.Next(Systems.Length)],
                OsVersion = _random.Next(15).ToString(System.Globalization.CultureInfo.InvariantCulture),
                DeviceType = _random.Next(3) == 0 ? "mobile" : "desktop",
                ScreenWidth = 1920,
                IsBot = _random.Next(50) == 0,
                LinkCampaign = kind == HitKind.LinkClick ? "news-11" : "",
                LinkTarget = kind == HitKind.LinkClick ? "https://www.example.com/offer" : "",
            });
        }
        return hits;
    }
}
