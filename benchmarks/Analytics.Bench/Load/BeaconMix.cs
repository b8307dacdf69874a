namespace Analytics.Bench.Load;

/// <summary>
/// A realistic, seeded mix of beacon requests: pages chosen with a skew (a few pages get most views),
/// search/social/direct/internal referrers, campaign tags, desktop and mobile browsers with a few
/// crawlers, and returning visitors (a cookie from a pool) beside new ones (no cookie).
/// </summary>
public sealed class BeaconMix
{
    public const string SiteId = "bench";
    public const string SiteHost = "www.example.com";

    private static readonly string[] Sections = ["blog", "docs", "products", "guides", "news"];

    private static readonly string[] Words =
    [
        "privacy", "analytics", "cookies", "beacon", "pricing", "install", "getting-started", "release-notes",
        "dashboard", "export", "api", "security", "performance", "faq", "migration", "teams", "reports", "billing",
    ];

    private static readonly (string Url, int Weight)[] Referrers =
    [
        ("", 38), ("https://www.google.com/", 28), ("https://www.bing.com/", 6), ("https://duckduckgo.com/", 5),
        ("https://t.co/", 4), ("https://news.ycombinator.com/", 3), ("https://www.reddit.com/r/selfhosted/", 3),
        ("https://www.linkedin.com/", 2), ("internal", 11),
    ];

    private static readonly (string UserAgent, int Weight)[] UserAgents =
    [
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36", 24),
        ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36", 10),
        ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1", 16),
        ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.81 Mobile Safari/537.36", 12),
        ("Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S921B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36", 4),
        ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15", 7),
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0", 6),
        ("Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0", 2),
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0", 6),
        ("Mozilla/5.0 (iPad; CPU OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1", 3),
        ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", 2),
        ("Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)", 1),
        ("Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)", 1),
    ];

    private static readonly int[] ScreenWidths = [1920, 1536, 1440, 1366, 390, 393, 412, 430, 768, 2560];

    private BeaconMix(IReadOnlyList<BeaconRequest> requests, int visitors, int seed)
    {
        Requests = requests;
        Visitors = visitors;
        Seed = seed;
    }

    public IReadOnlyList<BeaconRequest> Requests { get; }

    /// <summary>Size of the returning-visitor pool (cookies harvested from each server before the runs).</summary>
    public int Visitors { get; }

    public int Seed { get; }

    /// <summary>Builds <paramref name="count"/> requests; <paramref name="newVisitorShare"/> of them carry no cookie.</summary>
    public static BeaconMix Create(int seed, int count = 2048, int visitors = 1000, double newVisitorShare = 0.3, string siteId = SiteId)
    {
        var random = new Random(seed);
        var pages = Pages(random);
        var requests = new List<BeaconRequest>(count);
        for (var i = 0; i < count; i++)
        {
            // Cubing a uniform number skews toward the front of the list: a few pages get most of the views.
            var page = pages[(int)(Math.Pow(random.NextDouble(), 3) * pages.Count)];
            var url = "https://" + SiteHost + page + Campaign(random);
            var referrer = Pick(random, Referrers);
            if (referrer == "internal")
            {
                referrer = "https://" + SiteHost + pages[random.Next(pages.Count)];
            }
            var query = $"/i.gif?site={siteId}&url={Uri.EscapeDataString(url)}&ref={Uri.EscapeDataString(referrer)}&w={ScreenWidths[random.Next(ScreenWidths.Length)]}";
            var visitor = random.NextDouble() < newVisitorShare ? -1 : random.Next(visitors);
            requests.Add(new BeaconRequest(query, Pick(random, UserAgents), url, visitor));
        }
        return new BeaconMix(requests, visitors, seed);
    }

    private static List<string> Pages(Random random)
    {
        var pages = new List<string> { "/", "/pricing", "/about", "/contact", "/blog/", "/docs/" };
        foreach (var section in Sections)
        {
            for (var i = 0; i < 60; i++)
            {
                pages.Add($"/{section}/{Words[random.Next(Words.Length)]}-{Words[random.Next(Words.Length)]}-{i}");
            }
        }
        return pages;
    }

    private static string Campaign(Random random) => random.Next(20) switch
    {
        0 => "?utm_source=newsletter&utm_medium=email&utm_campaign=autumn",
        1 => "?utm_source=twitter&utm_medium=social",
        2 => "?page=2",
        3 => "#install",
        _ => "",
    };

    private static string Pick(Random random, (string Value, int Weight)[] choices)
    {
        var roll = random.Next(choices.Sum(c => c.Weight));
        foreach (var (value, weight) in choices)
        {
            if ((roll -= weight) < 0)
            {
                return value;
            }
        }
        return choices[^1].Value;
    }
}
