using System.Text.Json;
using Analytics.Analysts.Query;
using Analytics.Pipeline.Hits;

namespace Analytics.Analysts.Tests.Query;

/// <summary>
/// Hits without a visitor ID (DNT, GPC, opt-out, link clicks) count as pageviews and visits but never as
/// visitors; estimated_visitors adds them back at the cookie visitors' pageviews per visitor of the same
/// cell. Seeded traffic (seed printed) goes through the aggregator; the truths are computed here from the
/// hit list, and every plan mode (rollups, visits table, raw hits) must give them.
/// </summary>
[TestFixture]
public sealed class HonestVisitorsTests
{
    private const string Site = "honest";
    private static readonly DateTime Start = new(2026, 3, 2, 0, 0, 0, DateTimeKind.Utc);
    private StatsHost _host = null!;
    private StatsQueryParser _parser = null!;
    private QueryRunner _runner = null!;
    private readonly List<Hit> _hits = [];

    [OneTimeSetUp]
    public async Task Seed()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("HONEST_VISITORS_SEED"), out var given) ? given : Environment.TickCount & 0xFFFFFF;
        TestContext.Progress.WriteLine($"seed {seed} (HONEST_VISITORS_SEED replays it)");
        var random = new Random(seed);
        string[] paths = ["/", "/pricing", "/docs", "/blog/a"];
        string[] sources = ["", "google", "newsletter"];
        // Cookie visitors: 1-3 visits each on days 0-11, 1-5 hits a few minutes apart, one source per visit.
        foreach (var visitor in Enumerable.Range(0, 80).Select(_ => Guid.NewGuid()))
        {
            // Visits on different days, so none merges with another (each keeps its own source).
            foreach (var day in Enumerable.Range(0, 12).OrderBy(_ => random.Next()).Take(random.Next(1, 4)).ToList())
            {
                var at = Start.AddDays(day).AddHours(8 + random.Next(10)).AddMinutes(random.Next(50));
                var source = sources[random.Next(sources.Length)];
                for (var hit = random.Next(1, 6); hit > 0; hit--)
                {
                    _hits.Add(Fixtures.Page(Site, visitor, at, paths[random.Next(paths.Length)], source: source, channel: source.Length == 0 ? "direct" : "search"));
                    at = at.AddMinutes(random.Next(1, 5));
                }
            }
        }
        // Cookie-less pageviews (each a visit of its own), and cookie-less link clicks, which are hits but not pageviews.
        for (var i = 0; i < 150; i++)
        {
            var source = sources[random.Next(sources.Length)];
            _hits.Add(Fixtures.Page(Site, Guid.Empty, Start.AddDays(random.Next(12)).AddHours(8 + random.Next(10)).AddMinutes(random.Next(60)),
                paths[random.Next(paths.Length)], source: source, channel: source.Length == 0 ? "direct" : "search"));
        }
        for (var i = 0; i < 10; i++)
        {
            _hits.Add(Fixtures.Page(Site, Guid.Empty, Start.AddDays(random.Next(12)).AddHours(9), "/", channel: "direct", kind: HitKind.LinkClick, linkCampaign: "digest"));
        }
        _host = await StatsHost.StartAsync();
        _parser = _host.App.Services.GetRequiredService<StatsQueryParser>();
        _runner = _host.App.Services.GetRequiredService<QueryRunner>();
        await _host.SeedAsync([.. _hits.OrderBy(h => h.Timestamp)]);
    }

    [OneTimeTearDown]
    public async Task Stop() => await _host.DisposeAsync();

    /// <summary>Visitors and the estimate of a cell, from its hits: the truth the answers must match.</summary>
    private static (double Visitors, double Estimated) Truth(IEnumerable<Hit> cell)
    {
        var hits = cell.ToList();
        var visitors = hits.Where(h => h.VisitorId != Guid.Empty).Select(h => h.VisitorId).Distinct().Count();
        var pageviews = hits.Count(h => h.Kind == HitKind.Pageview);
        var anonymous = hits.Count(h => h.Kind == HitKind.Pageview && h.VisitorId == Guid.Empty);
        var estimated = pageviews - anonymous > 0 && visitors > 0 ? visitors + ((double)anonymous * visitors / (pageviews - anonymous)) : visitors + anonymous;
        return (visitors, Math.Round(estimated, MidpointRounding.ToEven));
    }

    private StatsQuery Parse(string dimensions) => _parser.Parse(JsonDocument.Parse(
        $$$"""{"site_id":"{{{Site}}}","metrics":["visitors","estimated_visitors","pageviews"],"dimensions":{{{dimensions}}},"date_range":["2026-03-01","2026-03-20"],"pagination":{"limit":100}}""").RootElement);

    [TestCase(PlanMode.Best)]
    [TestCase(PlanMode.NoRollups)]
    [TestCase(PlanMode.HitsOnly)]
    public async Task Cookie_less_hits_are_pageviews_but_not_visitors_and_the_estimate_scales_them_by_pageviews_per_visitor(PlanMode mode)
    {
        var total = await _runner.RunAsync(Parse("[]"), null, CancellationToken.None, mode);

        var (visitors, estimated) = Truth(_hits);
        TestContext.Out.WriteLine($"{mode}: {total.Rows[0].Metrics[0]} visitors, {total.Rows[0].Metrics[1]} estimated; truth {visitors}, {estimated}");
        Assert.That(total.Rows[0].Metrics[0], Is.EqualTo(visitors), "visitors are cookie visitors only");
        Assert.That(total.Rows[0].Metrics[1], Is.EqualTo(estimated), "the estimate");
        Assert.That(total.Rows[0].Metrics[2], Is.EqualTo(_hits.Count(h => h.Kind == HitKind.Pageview)), "cookie-less pageviews are pageviews");
        Assert.That(estimated, Is.GreaterThan(visitors), "the seeded traffic has cookie-less pageviews to estimate");
    }

    [TestCase("source", PlanMode.Best)]
    [TestCase("source", PlanMode.NoRollups)]
    [TestCase("page", PlanMode.Best)]
    [TestCase("page", PlanMode.HitsOnly)]
    [TestCase("time:day", PlanMode.Best)]
    [TestCase("time:day", PlanMode.HitsOnly)]
    public async Task Each_cell_counts_its_own_cookie_visitors_and_estimate(string dimension, PlanMode mode)
    {
        var result = await _runner.RunAsync(Parse($"[\"{dimension}\"]"), null, CancellationToken.None, mode);

        // A visit's source is its first hit's; every hit of a seeded visit has the visit's source.
        Func<Hit, string> key = dimension switch
        {
            "source" => h => h.Source,
            "page" => h => h.Path,
            _ => h => h.Timestamp.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        };
        var cells = _hits.Where(h => dimension != "page" || h.Kind == HitKind.Pageview).GroupBy(key).ToDictionary(g => g.Key, g => Truth(g));
        Assert.That(result.Rows.Where(r => r.Metrics[2] > 0).Select(r => r.Dimensions[0]), Is.EquivalentTo(cells.Keys));
        foreach (var row in result.Rows.Where(r => r.Metrics[2] > 0))
        {
            var (visitors, estimated) = cells[row.Dimensions[0]];
            Assert.That(row.Metrics[0], Is.EqualTo(visitors), $"visitors of {row.Dimensions[0]}");
            Assert.That(row.Metrics[1], Is.EqualTo(estimated), $"estimated visitors of {row.Dimensions[0]}");
        }
    }

    [Test]
    public async Task The_api_answers_estimated_visitors_beside_visitors()
    {
        var key = _host.NewKey(Site);
        var answer = await _host.QueryAsync(key, new
        {
            site_id = Site,
            metrics = new[] { "visitors", "estimated_visitors" },
            date_range = new[] { "2026-03-01", "2026-03-20" },
        });

        var metrics = answer.GetProperty("results")[0].GetProperty("metrics");
        var (visitors, estimated) = Truth(_hits);
        Assert.That(metrics[0].GetDouble(), Is.EqualTo(visitors));
        Assert.That(metrics[1].GetDouble(), Is.EqualTo(estimated));
    }
}
