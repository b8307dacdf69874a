using Analytics.Pipeline.Hits;

namespace Analytics.Bench.Sections;

/// <summary>Enriched hits as the collector would hand them on: repeat visitors, skewed pages, a few browsers and countries.</summary>
public static class HitGenerator
{
    private static readonly string[] Countries = ["US", "DE", "GB", "FR", "IN", "BR", "NL", "CA", "JP", "ES"];
    private static readonly string[] Browsers = ["Chrome", "Safari", "Firefox", "Edge", "Samsung Internet"];
    private static readonly string[] Oses = ["Windows", "iOS", "Android", "Mac OS X", "Linux"];
    private static readonly string[] Devices = ["desktop", "mobile", "tablet"];
    private static readonly (string Source, string Channel)[] Sources = [("", "direct"), ("google", "search"), ("bing", "search"), ("t.co", "social"), ("news.ycombinator.com", "referral"), ("newsletter", "email")];

    public static List<Hit> Create(int count, string siteId, int seed, DateTime start)
    {
        var random = new Random(seed);
        var visitors = new Guid[Math.Max(1, count / 4)];
        for (var i = 0; i < visitors.Length; i++)
        {
            visitors[i] = Guid.CreateVersion7();
        }
        var hits = new List<Hit>(count);
        for (var i = 0; i < count; i++)
        {
            var timestamp = start.AddMilliseconds(i);
            var (source, channel) = Sources[random.Next(Sources.Length)];
            var visitor = random.Next(visitors.Length);
            hits.Add(new Hit
            {
                HitId = Guid.CreateVersion7(new DateTimeOffset(timestamp)),
                SiteId = siteId,
                Timestamp = timestamp,
                VisitorId = visitors[visitor],
                IsNewVisitor = random.Next(4) == 0,
                Hostname = "www.example.com",
                Path = "/blog/post-" + (int)(Math.Pow(random.NextDouble(), 3) * 500),
                Title = "A post",
                Referrer = source.Length == 0 ? "" : "https://" + source + "/",
                Source = source,
                Channel = channel,
                Country = Countries[random.Next(Countries.Length)],
                Browser = Browsers[random.Next(Browsers.Length)],
                BrowserVersion = "131",
                Os = Oses[random.Next(Oses.Length)],
                DeviceType = Devices[random.Next(Devices.Length)],
                ScreenWidth = 1920,
            });
        }
        return hits;
    }
}
