using Analytics.Pipeline.Hits;

namespace Analytics.Analysts.Tests.Insights;

/// <summary>
/// Random traffic of one UTC day (2026-03-10) from a logged seed, and the true answers computed here from
/// the generated hits alone, by walking them in C# (never through the code under test): goal
/// conversions, funnel steps, segment and property counts.
/// </summary>
public sealed class InsightsTraffic
{
    public static readonly DateTime Day = new(2026, 3, 10, 0, 0, 0, DateTimeKind.Utc);
    public static readonly string[] Pages = ["/", "/pricing", "/signup", "/done", "/blog/a"];
    public static readonly string[] Countries = ["FR", "DE", "US"];

    private InsightsTraffic(List<Hit> hits) => Hits = hits;

    public List<Hit> Hits { get; }

    private IEnumerable<Hit> Human => Hits.Where(h => !h.IsBot);

    public static InsightsTraffic Generate(string site, int seed, int visitors = 90)
    {
        var random = new Random(seed);
        var hits = new List<Hit>();
        for (var v = 0; v < visitors; v++)
        {
            var bytes = new byte[16];
            random.NextBytes(bytes);
            bytes[0] = 1; // never the all-zero anonymous ID
            var id = new Guid(bytes);
            var country = Countries[random.Next(Countries.Length)];
            var source = random.Next(2) == 0 ? "google" : "";
            // Visits start at distinct hours, so two visits of one visitor are always more than 30 minutes apart.
            var hours = Enumerable.Range(0, 22).OrderBy(_ => random.Next()).Take(random.Next(1, 4)).Order().ToList();
            foreach (var hour in hours)
            {
                var at = Day.AddHours(hour).AddMinutes(random.Next(0, 20));
                var views = random.Next(1, 6);
                for (var i = 0; i < views; i++)
                {
                    var path = Pages[random.Next(Pages.Length)];
                    hits.Add(Fixtures.Page(site, id, at, path, source: i == 0 ? source : "", channel: i == 0 && source != "" ? "search" : "direct", country: country,
                        browser: "Firefox", os: "Linux", device: "desktop"));
                    if (path == "/signup" && random.Next(2) == 0)
                    {
                        at = at.AddSeconds(20);
                        var signup = Fixtures.Page(site, id, at, path, country: country, browser: "Firefox", os: "Linux", device: "desktop", kind: HitKind.Event, eventName: "Signup");
                        signup.Props = new Dictionary<string, string> { ["plan"] = random.Next(3) == 0 ? "pro" : "free" };
                        hits.Add(signup);
                    }
                    at = at.AddMinutes(random.Next(1, 4));
                }
            }
        }
        // Anonymous (consent-less) pageviews, some on the goal page, and a bot that reaches every step.
        for (var i = 0; i < 6; i++)
        {
            hits.Add(Fixtures.Page(site, Guid.Empty, Day.AddHours(23).AddMinutes(i), Pages[i % Pages.Length], country: "FR", browser: "Firefox", os: "Linux", device: "desktop"));
        }
        foreach (var (path, i) in new[] { "/", "/pricing", "/done" }.Select((p, i) => (p, i)))
        {
            hits.Add(Fixtures.Page(site, Fixtures.Bot, Day.AddHours(5).AddMinutes(i), path, country: "US", browser: "Googlebot", device: "bot", bot: true));
        }
        return new InsightsTraffic(hits);
    }

    /// <summary>Visitors as the API counts them: distinct cookie IDs (an anonymous hit is no visitor).</summary>
    public int Visitors(Func<Hit, bool> hit) =>
        Human.Where(hit).Where(h => h.VisitorId != Guid.Empty).Select(h => h.VisitorId).Distinct().Count();

    /// <summary>Visitors of a whole visit attribute (here every hit of a visitor has the same country and the visit's source is its first hit's).</summary>
    public int VisitorsWhere(Func<Hit, bool> pick) => Visitors(pick);

    /// <summary>
    /// For each step count, the cookie visitors whose hits (within one visit when <paramref name="withinVisit"/>,
    /// else within the day) contain the steps in order: a greedy walk from the first match, which is the
    /// longest chain when the window is unbounded.
    /// </summary>
    public int[] Funnel(IReadOnlyList<Func<Hit, bool>> steps, bool withinVisit, Func<Hit, bool>? visitorPick = null)
    {
        var reached = new int[steps.Count];
        foreach (var visitor in Human.Where(h => h.VisitorId != Guid.Empty).GroupBy(h => h.VisitorId))
        {
            if (visitorPick is not null && !visitor.Any(visitorPick))
            {
                continue;
            }
            var ordered = visitor.OrderBy(h => h.Timestamp).ThenBy(h => h.HitId).ToList();
            var groups = new List<List<Hit>>();
            foreach (var hit in ordered)
            {
                if (groups.Count == 0 || !withinVisit || (hit.Timestamp - groups[^1][^1].Timestamp).TotalMinutes >= 30)
                {
                    if (groups.Count == 0 || withinVisit)
                    {
                        groups.Add([]);
                    }
                }
                groups[^1].Add(hit);
            }
            var best = 0;
            foreach (var group in groups)
            {
                var level = 0;
                foreach (var hit in group)
                {
                    if (level < steps.Count && steps[level](hit))
                    {
                        level++;
                    }
                }
                best = Math.Max(best, level);
            }
            for (var i = 0; i < best; i++)
            {
                reached[i]++;
            }
        }
        return reached;
    }
}
