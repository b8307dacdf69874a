using System.Globalization;
using System.Text;
using Analytics.Analysts.Query;
using Analytics.Pipeline.ClickHouse;
using Analytics.Pipeline.Hits;

namespace Analytics.Analysts.Tests;

/// <summary>
/// Hand-computed fixture: four visitors, an anonymous hit and a bot on 2026-03-10 (UTC), one visitor the
/// day before. Every expected number in the tests is worked out from this list by hand (see comments).
/// </summary>
public static class Fixtures
{
    public static readonly Guid A = Guid.Parse("aaaaaaaa-0000-4000-8000-000000000001");
    public static readonly Guid B = Guid.Parse("bbbbbbbb-0000-4000-8000-000000000002");
    public static readonly Guid C = Guid.Parse("cccccccc-0000-4000-8000-000000000003");
    public static readonly Guid Bot = Guid.Parse("dddddddd-0000-4000-8000-000000000004");
    public static readonly Guid E = Guid.Parse("eeeeeeee-0000-4000-8000-000000000005");

    /// <summary>A path with characters that would break SQL if a value were ever spliced into it.</summary>
    public const string NastyPath = "/it's\\a'); DROP TABLE hits; --{p0:String}";

    /*
     Visits on 2026-03-10 (UTC):
       1. A 10:00 /, 10:01 /pricing, 10:05 event signup (/pricing), 10:10 /docs   3 pageviews, 600 s, google/search/spring, FR
       2. A 12:00 /                                                                 1 pageview (bounce), 0 s, direct
       3. B 10:30 /pricing, 10:32 /                                                 2 pageviews, 120 s, news.ycombinator.com/referral, DE
       4. C 23:30 /docs, 23:31 link click newsletter-1 (/docs)                      1 pageview (bounce), 60 s, US (00:30 on 03-11 in Paris)
       5. anonymous 11:00 /pricing                                                  1 pageview (bounce), 0 s, FR, a visit but no visitor
       bot 11:00 /                                                                  excluded from everything but bot_hits
     Totals: visitors 3 (A, B, C; the anonymous hit is no visitor), estimated visitors 3 + 1 x 3/7 = 3.43 -> 3, visits 5, pageviews 8, events 1, link clicks 1, bot hits 1, bounce rate 60,
     visit duration (600+0+120+60+0)/5 = 156, views per visit 8/5 = 1.6.
     2026-03-09: E 10:00 / (1 visitor, 1 visit, 1 pageview).
    */
    public static IReadOnlyList<Hit> Hits(string site)
    {
        var day = new DateTime(2026, 3, 10, 0, 0, 0, DateTimeKind.Utc);
        return
        [
            Page(site, A, day.AddHours(10), "/", source: "google", channel: "search", campaign: "spring", country: "FR", browser: "Firefox", os: "Linux", device: "desktop"),
            Page(site, A, day.AddHours(10).AddMinutes(1), "/pricing", country: "FR", browser: "Firefox", os: "Linux", device: "desktop"),
            Page(site, A, day.AddHours(10).AddMinutes(5), "/pricing", country: "FR", browser: "Firefox", os: "Linux", device: "desktop", kind: HitKind.Event, eventName: "signup"),
            Page(site, A, day.AddHours(10).AddMinutes(10), "/docs", country: "FR", browser: "Firefox", os: "Linux", device: "desktop"),
            Page(site, A, day.AddHours(12), "/", country: "FR", browser: "Firefox", os: "Linux", device: "desktop", channel: "direct"),
            Page(site, B, day.AddHours(10).AddMinutes(30), "/pricing", source: "news.ycombinator.com", channel: "referral", country: "DE", browser: "Chrome", os: "Windows", device: "mobile"),
            Page(site, B, day.AddHours(10).AddMinutes(32), "/", country: "DE", browser: "Chrome", os: "Windows", device: "mobile"),
            Page(site, C, day.AddHours(23).AddMinutes(30), "/docs", country: "US", browser: "Safari", os: "macOS", device: "desktop", channel: "direct"),
            Page(site, C, day.AddHours(23).AddMinutes(31), "/docs", country: "US", browser: "Safari", os: "macOS", device: "desktop", kind: HitKind.LinkClick, linkCampaign: "newsletter-1"),
            Page(site, Guid.Empty, day.AddHours(11), "/pricing", country: "FR", browser: "Firefox", os: "Linux", device: "desktop", channel: "direct"),
            Page(site, Bot, day.AddHours(11), "/", country: "US", browser: "Googlebot", os: "", device: "bot", bot: true),
            Page(site, E, day.AddDays(-1).AddHours(10), "/", country: "FR", browser: "Firefox", os: "Linux", device: "desktop", channel: "direct"),
        ];
    }

    public static Hit Page(string site, Guid visitor, DateTime at, string path, string source = "", string channel = "", string campaign = "",
        string country = "", string browser = "", string os = "", string device = "", HitKind kind = HitKind.Pageview, string eventName = "",
        string linkCampaign = "", bool bot = false) => new()
        {
            HitId = Guid.CreateVersion7(new DateTimeOffset(at)),
            SiteId = site,
            Timestamp = at,
            VisitorId = visitor,
            Kind = kind,
            EventName = eventName,
            Hostname = "www.example.com",
            Path = path,
            Source = source,
            Channel = channel,
            UtmCampaign = campaign,
            Country = country,
            Browser = browser,
            Os = os,
            DeviceType = device,
            IsBot = bot,
            LinkCampaign = linkCampaign,
        };

    /// <summary>A result row as one line (dimensions, then every figure), so answers compare figure by figure.</summary>
    public static string Describe(ResultRow row) => string.Join("|", row.Dimensions) + " => " + string.Join(",", row.Metrics);

    /// <summary>The one number <paramref name="sql"/> answers.</summary>
    public static async Task<long> CountAsync(IClickHouse clickHouse, string sql) =>
        long.Parse(Encoding.UTF8.GetString(await clickHouse.QueryAsync(sql, "TabSeparated")).Trim(), CultureInfo.InvariantCulture);
}
