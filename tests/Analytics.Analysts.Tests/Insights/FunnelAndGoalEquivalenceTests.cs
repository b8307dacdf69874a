using System.Buffers;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Analytics.Pipeline;
using Analytics.Pipeline.ClickHouse;
using Analytics.Pipeline.Hits;
using Analytics.Pipeline.Sessions;
using Analytics.Pipeline.Storage;
using Microsoft.Extensions.Options;
using SessionOptions = Analytics.Pipeline.Sessions.SessionOptions;

namespace Analytics.Analysts.Tests.Insights;

/// <summary>
/// The fast funnel and goal paths (schema/0015: step hits through the hits_by_step projection, visits placed
/// only for the visitors that need it, conversions from the page and event rollups) against answers computed
/// here by walking the seeded hits in C#: visits that cross the period's start or end, visits that grew over
/// several batches (several stored versions), steps split over two visits, wildcard and event goals.
/// Within a visit the same traffic is also stored on two more sites: one whose first day was stored
/// before hits carried their visit (schema/0018), one stripped of every visit row but those crossing the
/// period's ends, which a funnel over hits that carry their visit no longer needs. Sites of their own hold
/// one visit that crosses midnight inside the period, with its steps on both sides; hits that meet two steps
/// or share an instant; and long visits (5 to 40 pageviews) for funnels of two to eight steps.
/// </summary>
[TestFixture]
public sealed class FunnelAndGoalEquivalenceTests
{
    private const string Site = "funnel-edges";
    private const string OlderHitsSite = "funnel-older-hits";
    private const string FewVisitsSite = "funnel-few-visits";
    private const string ExpiredHitsSite = "funnel-expired-hits";
    private const string MidnightSite = "funnel-midnight";
    private const string OverlapSite = "funnel-overlap";
    private const string LongVisitsSite = "funnel-long-visits";
    private static readonly DateTime From = new(2026, 3, 10, 0, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime To = From.AddDays(2);
    private static readonly string[] Range = ["2026-03-10", "2026-03-11"];
    private static readonly string[] Pages = ["/", "/pricing", "/blog/a", "/blog/b", "/done", "/about"];
    private StatsHost _host = null!;
    private List<Hit> _hits = null!;
    private List<List<Hit>> _longVisits = null!;
    private string _reader = null!;
    private int _seed;

    [OneTimeSetUp]
    public async Task Start()
    {
        var seed = Environment.GetEnvironmentVariable("FUNNEL_SEED") is { } s ? int.Parse(s, System.Globalization.CultureInfo.InvariantCulture) : Random.Shared.Next();
        TestContext.Progress.WriteLine($"FunnelAndGoalEquivalenceTests seed {seed} (FUNNEL_SEED={seed} repeats it)");
        _seed = seed;
        _hits = Generate(new Random(seed), Site);
        _host = await StatsHost.StartAsync();
        // Three batches cut by time: a visit that spans a cut is stored, then grown (a -1/+1 pair and a new version).
        foreach (var batch in Batches(_hits))
        {
            await _host.SeedAsync(batch);
        }
        await StoreWithOlderFirstDayAsync(Generate(new Random(seed), OlderHitsSite));
        foreach (var batch in Batches(Generate(new Random(seed), FewVisitsSite)))
        {
            await _host.SeedAsync(batch);
        }
        var clickHouse = _host.App.Services.GetRequiredService<IClickHouse>();
        await clickHouse.ExecuteAsync($"ALTER TABLE {clickHouse.Database}.sessions DELETE WHERE site_id = '{FewVisitsSite}' "
            + $"AND NOT (started_at < {Sql(From)} AND ended_at >= {Sql(From)}) AND NOT (started_at < {Sql(To)} AND ended_at >= {Sql(To)}) SETTINGS mutations_sync = 1");
        _longVisits = LongVisits(new Random(seed));
        await _host.SeedAsync([.. _longVisits.SelectMany(v => v)]);
        var sites = new[] { Site, OlderHitsSite, FewVisitsSite, ExpiredHitsSite, MidnightSite, OverlapSite, LongVisitsSite };
        var admin = _host.Keys.Create(sites, "admin", Analysts.Access.ApiKeyKinds.Admin).Secret;
        _reader = _host.NewKey(sites);
        using var client = _host.Client(admin);
        foreach (var site in sites)
        {
            foreach (var goal in new object[]
            {
                new { site_id = site, name = "Done", path = "/done" },
                new { site_id = site, name = "Blog", path = "/blog/*" },
                new { site_id = site, name = "Signup", @event = "Signup" },
            })
            {
                using var created = await client.PostAsJsonAsync("/api/v2/goals", goal);
                Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created), await created.Content.ReadAsStringAsync());
            }
        }
    }

    private static Hit[][] Batches(List<Hit> hits) => [.. hits.OrderBy(h => h.Timestamp).Chunk((hits.Count / 3) + 1)];

    private static string Sql(DateTime time) => $"toDateTime64('{time:yyyy-MM-dd HH:mm:ss}', 3, 'UTC')";

    /// <summary>
    /// Stores the traffic as the aggregator does (one tracker, the same batches), except that the hits of the
    /// period's first day are written without their visit, as every hit stored before schema/0018 was.
    /// </summary>
    private async Task StoreWithOlderFirstDayAsync(List<Hit> hits)
    {
        var clickHouse = _host.App.Services.GetRequiredService<IClickHouse>();
        var tracker = new SessionTracker(Options.Create(new SessionOptions()));
        var retention = new RetentionOptions();
        var i = 0;
        foreach (var batch in Batches(hits))
        {
            var visits = tracker.Track(batch);
            foreach (var hit in batch.Where(h => h.Timestamp < From.AddDays(1)))
            {
                hit.SessionId = Guid.Empty;
            }
            var visitRows = new ArrayBufferWriter<byte>();
            SessionRowBinaryEncoder.Encode(visits, visitRows, retention);
            await clickHouse.InsertAsync($"{clickHouse.Database}.sessions ({SessionRowBinaryEncoder.Columns})", SessionRowBinaryEncoder.Format, visitRows.WrittenMemory, $"older-{i}/sessions");
            var hitRows = new ArrayBufferWriter<byte>();
            HitRowBinaryEncoder.Encode(batch, hitRows, retention);
            await clickHouse.InsertAsync($"{clickHouse.Database}.hits ({HitRowBinaryEncoder.Columns})", HitRowBinaryEncoder.Format, hitRows.WrittenMemory, $"older-{i++}");
        }
        Assert.That(hits.Count(h => h.SessionId == Guid.Empty), Is.Positive.And.LessThan(hits.Count), "some hits are stored without their visit, some with");
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }

    /// <summary>
    /// Visitors with one to four visits each, some starting before the period and running into it, some
    /// starting on its last evening and running past it; a visitor's visits are an hour or more apart.
    /// </summary>
    private static List<Hit> Generate(Random random, string site)
    {
        var hits = new List<Hit>();
        for (var v = 0; v < 120; v++)
        {
            var bytes = new byte[16];
            random.NextBytes(bytes);
            bytes[0] = 1;
            var visitor = new Guid(bytes);
            // Visit starts on a 75-minute grid from 23:00 the day before the period to 23:30 on its last day.
            var slots = Enumerable.Range(0, 40).OrderBy(_ => random.Next()).Take(random.Next(1, 5)).Order().ToList();
            foreach (var slot in slots)
            {
                var at = From.AddHours(-1).AddMinutes(slot * 75);
                if (random.Next(4) == 0)
                {
                    at = random.Next(2) == 0 ? From.AddMinutes(-random.Next(5, 40)) : To.AddMinutes(-random.Next(5, 40));
                }
                for (var i = random.Next(1, 7); i > 0; i--)
                {
                    var path = Pages[random.Next(Pages.Length)];
                    hits.Add(Fixtures.Page(site, visitor, at, path, country: "FR", browser: "Firefox", os: "Linux", device: "desktop"));
                    if (path == "/pricing" && random.Next(2) == 0)
                    {
                        at = at.AddSeconds(30);
                        hits.Add(Fixtures.Page(site, visitor, at, path, country: "FR", browser: "Firefox", os: "Linux", device: "desktop", kind: HitKind.Event, eventName: "Signup"));
                    }
                    at = at.AddMinutes(random.Next(2, 20));
                }
            }
        }
        return hits;
    }

    private static bool IsPage(Hit hit, string path) => hit.Kind == HitKind.Pageview && hit.Path == path;

    /// <summary>Visits by the 30-minute rule, per visitor, in time order.</summary>
    private List<List<Hit>> Visits() =>
        [.. _hits.GroupBy(h => h.VisitorId).SelectMany(visitor =>
        {
            var visits = new List<List<Hit>>();
            foreach (var hit in visitor.OrderBy(h => h.Timestamp).ThenBy(h => h.HitId))
            {
                if (visits.Count == 0 || (hit.Timestamp - visits[^1][^1].Timestamp).TotalMinutes >= 30)
                {
                    visits.Add([]);
                }
                visits[^1].Add(hit);
            }
            return visits;
        })];

    /// <summary>
    /// How far an ordered walk through <paramref name="hits"/> gets through the steps (greedy: the longest chain
    /// with no time limit). Hits at one instant come in either order, as the product promises (their order is
    /// unknown): every step met at that instant is taken in step order, one hit possibly meeting several.
    /// </summary>
    private static int Level(IEnumerable<Hit> hits, Func<Hit, bool>[] steps)
    {
        var level = 0;
        foreach (var instant in hits.GroupBy(h => h.Timestamp).OrderBy(g => g.Key))
        {
            while (level < steps.Length && instant.Any(steps[level]))
            {
                level++;
            }
        }
        return level;
    }

    private static int[] Reached(IEnumerable<int> levels, int steps) =>
        [.. Enumerable.Range(1, steps).Select(step => levels.Count(l => l >= step))];

    private async Task<int[]> FunnelAsync(object[] steps, int? withinDays, string site = Site)
    {
        using var client = _host.Client(_reader);
        using var response = await client.PostAsJsonAsync("/api/v2/funnel", new { site_id = site, date_range = Range, steps, within_days = withinDays });
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        return [.. JsonDocument.Parse(text).RootElement.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("visitors").GetInt32())];
    }

    [TestCase(Site, TestName = "A funnel within a visit counts the visits started in the period with all their hits")]
    [TestCase(OlderHitsSite, TestName = "A funnel within a visit over a period partly stored before hits carried their visit answers the same")]
    [TestCase(FewVisitsSite, TestName = "A funnel within a visit over hits that carry their visit reads no visit rows but those crossing the period's ends")]
    public async Task A_funnel_within_a_visit_counts_the_visits_started_in_the_period_with_all_their_hits(string site)
    {
        var steps = new Func<Hit, bool>[] { h => IsPage(h, "/"), h => IsPage(h, "/pricing"), h => h.EventName == "Signup", h => IsPage(h, "/done") };
        // A visit belongs to the period it started in and keeps its hits past the period's end.
        var expected = Reached(
            Visits().Where(v => v[0].Timestamp >= From && v[0].Timestamp < To).GroupBy(v => v[0].VisitorId).Select(g => g.Max(v => Level(v, steps))),
            steps.Length);
        Assert.That(_hits.Any(h => h.Timestamp >= To) && _hits.Any(h => h.Timestamp < From), Is.True, "the traffic crosses both ends of the period");

        var answer = await FunnelAsync([new { page = "/" }, new { page = "/pricing" }, new { goal = "Signup" }, new { goal = "Done" }], null, site);

        Assert.That(answer, Is.EqualTo(expected));
    }

    /// <summary>One visit per visitor on the period's first day, 5 to 40 pageviews a minute or two apart, so long step chains occur.</summary>
    private static List<List<Hit>> LongVisits(Random random)
    {
        var visits = new List<List<Hit>>();
        for (var v = 0; v < 200; v++)
        {
            var visitor = new Guid($"04000000-0000-0000-0000-{v:x12}");
            var at = From.AddHours(8).AddMinutes(random.Next(600));
            var visit = new List<Hit>();
            for (var i = random.Next(5, 41); i > 0; i--)
            {
                visit.Add(Fixtures.Page(LongVisitsSite, visitor, at, Pages[random.Next(Pages.Length)]));
                at = at.AddSeconds(random.Next(30, 120));
            }
            visits.Add(visit);
        }
        return visits;
    }

    [TestCase("/pricing /done", TestName = "A funnel within a visit of two steps (first and last step only) answers as the walk")]
    [TestCase("/ /pricing / /blog/a /pricing /done / /about", TestName = "A funnel within a visit of eight steps, pages repeated, answers as the walk")]
    public async Task A_funnel_within_a_visit_of_any_length_answers_as_the_walk(string stepPages)
    {
        var pages = stepPages.Split(' ');
        var steps = pages.Select(page => (Func<Hit, bool>)(h => IsPage(h, page))).ToArray();
        var expected = Reached(_longVisits.Select(visit => Level(visit, steps)), steps.Length);
        Assert.That(expected[^1], Is.Positive.And.LessThan(expected[0]), "some visitors reach the last step, some stop before it");

        var answer = await FunnelAsync([.. pages.Select(page => (object)new { page })], null, LongVisitsSite);

        Assert.That(answer, Is.EqualTo(expected));
    }

    [Test]
    public async Task A_funnel_within_a_visit_follows_a_visit_across_midnight()
    {
        // One visit from 23:50 on the period's first day to 00:10 on its second (hits 5 to 8 minutes
        // apart, so one visit by the 30-minute rule): step 1 before midnight, steps 2 and 3 after it. A plan
        // that grouped hits by day (as hits' key, site and day then visitor, would make cheap) would count step 1 only.
        var visitor = new Guid("02000000-0000-0000-0000-00000000f00d");
        var midnight = From.AddDays(1);
        await _host.SeedAsync(
        [
            Fixtures.Page(MidnightSite, visitor, midnight.AddMinutes(-10), "/"),
            Fixtures.Page(MidnightSite, visitor, midnight.AddMinutes(-2), "/about"),
            Fixtures.Page(MidnightSite, visitor, midnight.AddMinutes(3), "/pricing"),
            Fixtures.Page(MidnightSite, visitor, midnight.AddMinutes(10), "/done"),
        ]);

        var answer = await FunnelAsync([new { page = "/" }, new { page = "/pricing" }, new { page = "/done" }], null, MidnightSite);

        Assert.That(answer, Is.EqualTo(new[] { 1, 1, 1 }));
    }

    [Test]
    public async Task A_funnel_within_a_visit_lets_one_hit_meet_two_steps_and_steps_at_one_instant_come_in_either_order()
    {
        // Steps /blog/*, /blog/a, /done: a /blog/a hit meets the first two. Each visitor has one visit
        // (hits a minute apart) on the period's first morning.
        var at = From.AddHours(9);
        Guid Visitor(int n) => new($"03000000-0000-0000-0000-{n:x12}");
        await _host.SeedAsync(
        [
            // Reaches 3: one hit is steps 1 and 2, then /done.
            Fixtures.Page(OverlapSite, Visitor(1), at, "/blog/a"),
            Fixtures.Page(OverlapSite, Visitor(1), at.AddMinutes(1), "/done"),
            // Reaches 3: /done at the same instant as the /blog/a hit.
            Fixtures.Page(OverlapSite, Visitor(2), at, "/done"),
            Fixtures.Page(OverlapSite, Visitor(2), at, "/blog/a"),
            // Reaches 2: /done came before any blog page.
            Fixtures.Page(OverlapSite, Visitor(3), at, "/done"),
            Fixtures.Page(OverlapSite, Visitor(3), at.AddMinutes(1), "/blog/a"),
            // Reaches 3: the earlier /blog/a starts the chain, not the later /blog/b.
            Fixtures.Page(OverlapSite, Visitor(4), at, "/blog/a"),
            Fixtures.Page(OverlapSite, Visitor(4), at.AddMinutes(1), "/blog/b"),
            Fixtures.Page(OverlapSite, Visitor(4), at.AddMinutes(2), "/done"),
            // Reaches 1: a blog page, then no /blog/a.
            Fixtures.Page(OverlapSite, Visitor(5), at, "/blog/b"),
            Fixtures.Page(OverlapSite, Visitor(5), at.AddMinutes(1), "/about"),
            // Reaches 2: step 2 after step 1, /done between them does not count.
            Fixtures.Page(OverlapSite, Visitor(6), at, "/blog/b"),
            Fixtures.Page(OverlapSite, Visitor(6), at.AddMinutes(1), "/done"),
            Fixtures.Page(OverlapSite, Visitor(6), at.AddMinutes(2), "/blog/a"),
        ]);

        var answer = await FunnelAsync([new { page = "/blog/*" }, new { page = "/blog/a" }, new { page = "/done" }], null, OverlapSite);

        Assert.That(answer, Is.EqualTo(new[] { 6, 5, 3 }));
    }

    [Test]
    public async Task A_funnel_within_days_counts_the_periods_hits_in_order()
    {
        var steps = new Func<Hit, bool>[] { h => IsPage(h, "/"), h => h.Path.StartsWith("/blog/", StringComparison.Ordinal) && h.Kind == HitKind.Pageview, h => IsPage(h, "/done") };
        // The period is two days and the window three: every chain of the period fits in it.
        var expected = Reached(_hits.Where(h => h.Timestamp >= From && h.Timestamp < To).GroupBy(h => h.VisitorId).Select(g => Level(g, steps)), steps.Length);

        var answer = await FunnelAsync([new { page = "/" }, new { goal = "Blog" }, new { page = "/done" }], 3);

        Assert.That(answer, Is.EqualTo(expected));
    }

    [TestCase(Site, TestName = "Conversions per goal equal the visitors who met each goal")]
    [TestCase(ExpiredHitsSite, TestName = "Conversions per goal over a period whose first day's raw hits were deleted still count that day from the rollups")]
    public async Task Conversions_per_goal_equal_the_visitors_who_met_each_goal(string site)
    {
        var hits = _hits;
        if (site == ExpiredHitsSite)
        {
            // As raw retention does: the oldest hits go (here the period's first day), the rollups keep them
            // (the site's goals are added with the others' in Start).
            hits = Generate(new Random(_seed), ExpiredHitsSite);
            foreach (var batch in Batches(hits))
            {
                await _host.SeedAsync(batch);
            }
            var clickHouse = _host.App.Services.GetRequiredService<IClickHouse>();
            await clickHouse.ExecuteAsync($"ALTER TABLE {clickHouse.Database}.hits DELETE WHERE site_id = '{site}' AND timestamp < {Sql(From.AddDays(1))} SETTINGS mutations_sync = 1");
        }
        var period = hits.Where(h => h.Timestamp >= From && h.Timestamp < To).ToList();
        var total = period.Select(h => h.VisitorId).Distinct().Count();
        var expected = new Dictionary<string, int>
        {
            ["Done"] = period.Where(h => IsPage(h, "/done")).Select(h => h.VisitorId).Distinct().Count(),
            ["Blog"] = period.Where(h => h.Kind == HitKind.Pageview && h.Path.StartsWith("/blog/", StringComparison.Ordinal)).Select(h => h.VisitorId).Distinct().Count(),
            ["Signup"] = period.Where(h => h.EventName == "Signup").Select(h => h.VisitorId).Distinct().Count(),
        };

        var perGoal = await _host.QueryAsync(_reader, new { site_id = site, date_range = Range, metrics = new[] { "conversions", "conversion_rate" }, dimensions = new[] { "goal" } });
        var rows = perGoal.GetProperty("results").EnumerateArray()
            .ToDictionary(r => r.GetProperty("dimensions")[0].GetString()!, r => r.GetProperty("metrics").EnumerateArray().Select(m => m.GetDouble()).ToArray());

        foreach (var (goal, visitors) in expected)
        {
            Assert.That(rows[goal], Is.EqualTo(new[] { visitors, Math.Round(100.0 * visitors / total, 1) }), goal);
            // One goal alone, filtered by: the same count (read the same way).
            var alone = await _host.QueryAsync(_reader, new { site_id = site, date_range = Range, metrics = new[] { "conversions" }, filters = new object[] { new object[] { "is", "goal", new[] { goal } } } });
            Assert.That(alone.GetProperty("results")[0].GetProperty("metrics")[0].GetDouble(), Is.EqualTo(visitors), goal + " alone");
        }
    }
}
