using System.Text.Json;
using Analytics.Analysts.Query;
using Analytics.Pipeline.ClickHouse;
using Analytics.Pipeline.Hits;
using Analytics.Pipeline.Schema;
using Analytics.Pipeline.Storage;
using Analytics.Pipeline.Transport;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Analytics.Analysts.Tests.Query;

/// <summary>
/// A page filter's views read through a stored page window (the visits of a period's days before yesterday
/// answered ahead, <see cref="PageWindows"/>) answer as they do without one and as raw hits do, also after late
/// data, an erasure, a window built before an erasure that is stored after it, or one that cannot be stored. Random traffic (seed printed);
/// "today" is a fixed day within it, so a view reads the window and joins the visits of the days after it.
/// </summary>
[TestFixture]
public sealed class PageWindowsTests
{
    private const string Site = "pagewin";
    private static readonly DateTime Start = new(2026, 3, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly DateOnly First = new(2026, 3, 2);
    private static readonly DateOnly End = new(2026, 3, 27);
    private StatsHost _host = null!;
    private StatsQueryParser _parser = null!;
    private IClickHouse _clickHouse = null!;
    private PageWindows _windows = null!;
    private QueryRunner _runner = null!;
    private QueryRunner _joinOnly = null!;
    private Guid[] _visitors = null!;
    private Random _random = null!;
    private readonly List<IAsyncDisposable> _disposables = [];

    /// <summary>The views a window answers: the top line of a page, its sources, and countries of some pages outside one source.</summary>
    private static readonly (string Metrics, string Dimensions, string Filters)[] Views =
    [
        ("""["visitors","visits","pageviews","views_per_visit","bounce_rate","visit_duration","estimated_visitors"]""", "[]", """[["is","page",["/p1"]]]"""),
        ("""["visitors","visits","bounce_rate","visit_duration"]""", """["source"]""", """[["is","page",["/p2"]]]"""),
        ("""["visitors","pageviews","visits"]""", """["country"]""", """[["contains","page",["p1"]],["is_not","source",["s0"]]]"""),
    ];

    [OneTimeSetUp]
    public async Task Seed()
    {
        // PAGE_WINDOWS_SEED replays a run whose seed a failure printed.
        var seed = int.TryParse(Environment.GetEnvironmentVariable("PAGE_WINDOWS_SEED"), out var given) ? given : Environment.TickCount;
        TestContext.Progress.WriteLine($"seed {seed}");
        _random = new Random(seed);
        _host = await StatsHost.StartAsync("--Analysts:PageWindows=false");
        _parser = _host.App.Services.GetRequiredService<StatsQueryParser>();
        _clickHouse = _host.App.Services.GetRequiredService<IClickHouse>();
        var options = _host.App.Services.GetRequiredService<IOptions<AnalystsOptions>>();
        // Today is 2026-03-28: a window of 2026-03-02..26, and the visits of the 27th to the 31st joined to their hits.
        _windows = new PageWindows(_clickHouse, new QueryPlanner(_clickHouse.Database, options.Value.QueryTimeout),
            new FakeTimeProvider(new DateTimeOffset(2026, 3, 28, 12, 0, 0, TimeSpan.Zero)));
        _runner = new QueryRunner(_clickHouse, options, pageWindows: _windows);
        _joinOnly = _host.App.Services.GetRequiredService<QueryRunner>();
        _visitors = [.. Enumerable.Range(0, 300).Select(_ => Guid.NewGuid())];
        // Visits of a few pages each: a visitor's hits come minutes apart, in runs that end after a pause of hours.
        var hits = new List<Hit>();
        while (hits.Count < 4000)
        {
            var visitor = _random.Next(12) == 0 ? Guid.Empty : _visitors[_random.Next(_visitors.Length)];
            var at = Start.AddSeconds(_random.Next(31 * 86400));
            for (var n = 1 + _random.Next(4); n > 0; n--)
            {
                hits.Add(RandomHit(visitor, at));
                at = at.AddMinutes(1 + _random.Next(20));
            }
        }
        await _host.SeedAsync([.. hits.OrderBy(h => h.Timestamp)]);
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        foreach (var disposable in _disposables)
        {
            await disposable.DisposeAsync();
        }
        await _windows.DisposeAsync();
        await _host.DisposeAsync();
    }

    [Test, Order(1)]
    public async Task Views_read_through_a_built_window_are_the_views_read_by_the_join()
    {
        foreach (var view in Views)
        {
            var query = View(view);
            Assert.That(await FreshAsync(query), Is.Null, $"{view.Filters}: no window before a build");
            await _windows.BuildAsync(query, First, End, CancellationToken.None);
            var reads = _windows.Reads;

            var windowed = await _runner.RunAsync(query, null, CancellationToken.None);

            Assert.That(_windows.Reads, Is.EqualTo(reads + 1), $"{view.Filters}: read through the window");
            await AssertUnchangedAsync(query, windowed);
        }
    }

    [Test, Order(2)]
    public async Task Late_hits_on_a_windowed_day_make_the_window_unused_until_it_is_built_again()
    {
        var query = View(Views[0]);
        await _windows.BuildAsync(query, First, End, CancellationToken.None);
        Assert.That(await FreshAsync(query), Is.Not.Null);
        var reads = _windows.Reads;
        await AssertUnchangedAsync(query, await _runner.RunAsync(query, null, CancellationToken.None));
        Assert.That(_windows.Reads, Is.EqualTo(reads + 1), "read through the window, which is now remembered");
        // New visits on a day inside the window, through the filtered page.
        await _host.SeedAsync([.. Enumerable.Range(0, 30).Select(i => Fixtures.Page(Site, Guid.NewGuid(), Start.AddDays(9).AddMinutes(i), "/p1", country: "C1", source: "s1"))]);

        Assert.That(await FreshAsync(query), Is.Null, "the window no longer answers");
        // The remembered window is not looked up again: the load's own statement finds that it no longer answers.
        await AssertUnchangedAsync(query, await _runner.RunAsync(query, null, CancellationToken.None));

        await _windows.BuildAsync(query, First, End, CancellationToken.None);
        reads = _windows.Reads;
        var rebuilt = await _runner.RunAsync(query, null, CancellationToken.None);
        Assert.That(_windows.Reads, Is.EqualTo(reads + 1));
        await AssertUnchangedAsync(query, rebuilt);
    }

    [Test, Order(3)]
    public async Task A_late_hit_that_grows_a_windowed_visit_makes_the_window_unused()
    {
        var query = View(Views[1]);
        await _windows.BuildAsync(query, First, End, CancellationToken.None);
        Assert.That(await FreshAsync(query), Is.Not.Null);
        // One visitor's visit through /p2 on a windowed day, first a bounce, then grown by a hit of another page.
        var visitor = Guid.NewGuid();
        var at = Start.AddDays(12).AddHours(3);
        await _host.SeedAsync([Fixtures.Page(Site, visitor, at, "/p2", source: "s3")]);
        await _windows.BuildAsync(query, First, End, CancellationToken.None);
        Assert.That(await FreshAsync(query), Is.Not.Null);

        await _host.SeedAsync([Fixtures.Page(Site, visitor, at.AddMinutes(5), "/p7", source: "s3")]);

        Assert.That(await FreshAsync(query), Is.Null, "a visit of the window's days grew: the window no longer answers");
        await AssertUnchangedAsync(query, await _runner.RunAsync(query, null, CancellationToken.None));
    }

    [Test, Order(4)]
    public async Task An_erasure_deletes_the_windows_and_one_built_before_it_is_never_read()
    {
        var query = View(Views[1]);
        await _windows.BuildAsync(query, First, End, CancellationToken.None);
        Assert.That(await FreshAsync(query), Is.Not.Null);
        var db = _clickHouse.Database;
        // A build that read the visits before the erasure and is stored after it: kept aside, put back after.
        await _clickHouse.ExecuteAsync($"CREATE TABLE {db}.page_windows_before_erasure AS {db}.{PageWindows.Table}");
        await _clickHouse.ExecuteAsync($"INSERT INTO {db}.page_windows_before_erasure SELECT * FROM {db}.{PageWindows.Table} WHERE site_id = '{Site}'");
        var erased = _visitors[_random.Next(_visitors.Length)];
        TestContext.Progress.WriteLine($"erasing {erased}");

        await _host.App.Services.GetRequiredService<VisitorDataStore>().EraseAsync(erased, CancellationToken.None);

        Assert.That(await Fixtures.CountAsync(_clickHouse, $"SELECT count() FROM {db}.{PageWindows.Table} WHERE site_id = '{Site}'"), Is.Zero, "the site's windows are deleted");
        await _clickHouse.ExecuteAsync($"INSERT INTO {db}.{PageWindows.Table} SELECT * FROM {db}.page_windows_before_erasure");
        Assert.That(await FreshAsync(query), Is.Null, "a window built before the erasure is not read");
        await AssertUnchangedAsync(query, await _runner.RunAsync(query, null, CancellationToken.None));

        await _windows.BuildAsync(query, First, End, CancellationToken.None);
        var reads = _windows.Reads;
        var after = await _runner.RunAsync(query, null, CancellationToken.None);
        Assert.That(_windows.Reads, Is.EqualTo(reads + 1), "a window built after the erasure is read");
        await AssertUnchangedAsync(query, after);
    }

    [Test, Order(5)]
    public async Task The_first_load_of_a_view_builds_its_window_and_the_next_ones_read_it()
    {
        // Days no test asked for before (a window is tried at most once a minute, and the clock stands still).
        var query = View(Views[2], first: "2026-03-03", last: "2026-03-30");
        var stored = $"SELECT count() FROM {_clickHouse.Database}.{PageWindows.Table} WHERE site_id = '{Site}' AND first_day = '2026-03-03'";
        Assert.That(await Fixtures.CountAsync(_clickHouse, stored), Is.Zero);

        var first = await _runner.RunAsync(query, null, CancellationToken.None);
        Assert.That(await Fixtures.CountAsync(_clickHouse, stored), Is.GreaterThan(0), "the first load stored the window");
        var reads = _windows.Reads;
        var second = await _runner.RunAsync(query, null, CancellationToken.None);

        Assert.That(_windows.Reads, Is.EqualTo(reads + 1), "the second load reads the window the first one built");
        await AssertUnchangedAsync(query, first);
        await AssertUnchangedAsync(query, second);
    }

    [Test, Order(6)]
    public async Task A_window_that_cannot_be_stored_leaves_the_answer_to_the_join_and_is_not_tried_again_at_once()
    {
        var query = View(Views[0], first: "2026-03-04", last: "2026-03-29");
        var db = _clickHouse.Database;
        var reads = _windows.Reads;
        // Rows of this site are refused, as an INSERT is for a read-only user; reads still work.
        await _clickHouse.ExecuteAsync($"ALTER TABLE {db}.{PageWindows.Table} ADD CONSTRAINT refuse_site CHECK site_id != '{Site}'");
        try
        {
            await AssertUnchangedAsync(query, await _runner.RunAsync(query, null, CancellationToken.None));
        }
        finally
        {
            await _clickHouse.ExecuteAsync($"ALTER TABLE {db}.{PageWindows.Table} DROP CONSTRAINT refuse_site");
        }

        await AssertUnchangedAsync(query, await _runner.RunAsync(query, null, CancellationToken.None));

        Assert.That(_windows.Reads, Is.EqualTo(reads), "no window read, nor built again within the minute");
        Assert.That(await Fixtures.CountAsync(_clickHouse, $"SELECT count() FROM {db}.{PageWindows.Table} WHERE site_id = '{Site}' AND first_day = '2026-03-04'"), Is.Zero);
    }

    [Test, Order(7)]
    public async Task A_window_table_that_cannot_be_read_leaves_the_answer_to_the_join()
    {
        var remembered = View(Views[1], first: "2026-03-05", last: "2026-03-29");
        var unknown = View(Views[2], first: "2026-03-05", last: "2026-03-29");
        var reads = _windows.Reads;
        await AssertUnchangedAsync(remembered, await _runner.RunAsync(remembered, null, CancellationToken.None));
        Assert.That(_windows.Reads, Is.EqualTo(reads + 1), "the first load built the window and read it");
        var db = _clickHouse.Database;
        await _clickHouse.ExecuteAsync($"RENAME TABLE {db}.{PageWindows.Table} TO {db}.page_windows_away");
        try
        {
            // One window's read fails, the other's lookup.
            await AssertUnchangedAsync(remembered, await _runner.RunAsync(remembered, null, CancellationToken.None));
            await AssertUnchangedAsync(unknown, await _runner.RunAsync(unknown, null, CancellationToken.None));
            Assert.That(_windows.Reads, Is.EqualTo(reads + 1), "no read through a window");
        }
        finally
        {
            await _clickHouse.ExecuteAsync($"RENAME TABLE {db}.page_windows_away TO {db}.{PageWindows.Table}");
        }
    }

    [Test, Order(8)]
    public async Task A_page_total_above_the_exact_counts_reads_a_bound_of_its_days_visitors_with_it_and_nothing_more()
    {
        const string Many = "pagewinmany";
        // 20,000 visitors (above the 16,384 counted exactly) view /m on two days of the window and one after it; 2,000 more
        // only send an event from /m after it: visitors of the total, but not of any day's page visitors.
        var hits = new List<Hit>();
        for (var i = 0; i < 20_000; i++)
        {
            var visitor = RandomVisitor();
            foreach (var day in new[] { _random.Next(1, 13), _random.Next(13, 26), _random.Next(26, 28) })
            {
                hits.Add(Fixtures.Page(Many, visitor, Start.AddDays(day).AddSeconds(_random.Next(80_000)), "/m"));
            }
        }
        for (var i = 0; i < 2_000; i++)
        {
            hits.Add(Fixtures.Page(Many, RandomVisitor(), Start.AddDays(26).AddSeconds(_random.Next(80_000)), "/m", kind: HitKind.Event, eventName: "e"));
        }
        await _host.SeedAsync([.. hits.OrderBy(h => h.Timestamp)]);
        var options = _host.App.Services.GetRequiredService<IOptions<AnalystsOptions>>();
        var recorded = new RecordedStatements(_clickHouse);
        var planner = new QueryPlanner(_clickHouse.Database, options.Value.QueryTimeout);
        await using var windows = new PageWindows(recorded, planner, new FakeTimeProvider(new DateTimeOffset(2026, 3, 28, 12, 0, 0, TimeSpan.Zero)));
        var runner = new QueryRunner(recorded, options, pageWindows: windows);
        var query = View((Views[0].Metrics, "[]", """[["is","page",["/m"]]]"""), site: Many);
        await runner.RunAsync(query, null, CancellationToken.None);
        recorded.Clear();

        var answer = await runner.RunAsync(query, null, CancellationToken.None);

        Assert.That(windows.Reads, Is.EqualTo(2), "both loads read the window the first one built");
        Assert.That(recorded.Statements, Has.Count.EqualTo(2), "the look for unstamped hits and the read, no spans or days:\n" + string.Join("\n---\n", recorded.Statements));
        Assert.That(answer.Rows[0].Metrics[0], Is.GreaterThan(VisitorSketch.ExactUpTo), "a total that the sum of its days could lower");
        await AssertUnchangedAsync(query, answer);
        // The bound's two parts against exact counts of the stored hits: the window's days (its spans, read when it was
        // found) lie between the union and the sum of those days' page visitors; the days after it are their page visitors.
        var stored = await windows.StoredAsync(query, query.Range, CancellationToken.None);
        var (read, _) = await _runner.ReadAsync(planner.Plan(query, query.Range, pageWindow: stored), query.Metrics.Count + 1, CancellationToken.None);
        var pageViews = $"FROM {_clickHouse.Database}.hits WHERE site_id = '{Many}' AND kind = 1 AND path = '/m'";
        var end = $"'{stored!.End:yyyy-MM-dd}'";
        var windowDays = $"{pageViews} AND toDate(timestamp) < {end}";
        var union = await Fixtures.CountAsync(_clickHouse, $"SELECT uniqExact(visitor_id) {windowDays}");
        var sum = await Fixtures.CountAsync(_clickHouse, $"SELECT sum(v) FROM (SELECT uniqExact(visitor_id) AS v {windowDays} GROUP BY toDate(timestamp))");
        var after = await Fixtures.CountAsync(_clickHouse, $"SELECT uniqExact(visitor_id) {pageViews} AND toDate(timestamp) >= {end}");
        TestContext.Out.WriteLine($"window's days to {end}: {stored.DaysVisitorsAtLeast} (union {union}, sum {sum}); after: {read.Single().Metrics[^1]} ({after})");
        Assert.That(stored.DaysVisitorsAtLeast, Is.GreaterThanOrEqualTo(union * 0.995).And.LessThanOrEqualTo(sum * 1.005));
        Assert.That(read.Single().Metrics[^1], Is.EqualTo((double)after).Within(0.5).Percent);
    }

    [Test, Order(9)]
    public async Task A_compared_total_of_days_a_window_holds_all_of_is_read_once_per_build_and_again_after_late_hits()
    {
        // The top line of 16 days with the 16 before: the earlier period lies wholly before the day before yesterday.
        var body = $$"""{"site_id":"{{Site}}","metrics":{{Views[0].Metrics}},"filters":{{Views[0].Filters}},"date_range":["2026-03-16","2026-03-31"],"include":{"comparisons":{"mode":"previous_period"}""" + "}}";
        var query = _parser.Parse(JsonDocument.Parse(body).RootElement);
        var options = _host.App.Services.GetRequiredService<IOptions<AnalystsOptions>>();
        var recorded = new RecordedStatements(_clickHouse);
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 3, 28, 12, 0, 0, TimeSpan.Zero));
        await using var windows = new PageWindows(recorded, new QueryPlanner(_clickHouse.Database, options.Value.QueryTimeout), clock);
        var runner = new QueryRunner(recorded, options, pageWindows: windows);
        var first = await runner.RunAsync(query, null, CancellationToken.None);
        recorded.Clear();

        var second = await runner.RunAsync(query, null, CancellationToken.None);

        Assert.That(windows.Reads, Is.EqualTo(4), "both loads answered both periods through their windows");
        Assert.That(recorded.Statements, Has.Count.EqualTo(3).And.Exactly(1).Contains("Merge(19)(visitors_exact)"),
            "the look for unstamped hits, the period's read, and the earlier window's lookup, not its read:\n" + string.Join("\n---\n", recorded.Statements));
        Assert.That(Compared(second), Is.EqualTo(Compared(first)));
        await AssertComparedUnchangedAsync(query, second);

        // New visits through the page on a day of the earlier window: its build no longer answers, so its kept total is not either.
        var late = Enumerable.Range(0, 30).Select(_ => Guid.NewGuid()).ToArray();
        await _host.SeedAsync([.. late.Select((visitor, i) => Fixtures.Page(Site, visitor, new DateTime(2026, 3, 5, 10, i, 0, DateTimeKind.Utc), "/p1"))]);
        var third = await runner.RunAsync(query, null, CancellationToken.None);

        Assert.That(third.Rows[0].Comparison!.Metrics[1], Is.EqualTo(second.Rows[0].Comparison!.Metrics[1] + 30), "the earlier period's visits");
        await AssertComparedUnchangedAsync(query, third);

        // A build after them (a window is tried again after a minute) is kept in turn, until an erasure of one of those visitors.
        clock.Advance(TimeSpan.FromMinutes(2));
        await runner.RunAsync(query, null, CancellationToken.None);
        var reads = windows.Reads;
        var kept = await runner.RunAsync(query, null, CancellationToken.None);
        Assert.That(windows.Reads, Is.EqualTo(reads + 2));
        Assert.That(Compared(kept), Is.EqualTo(Compared(third)));
        await _host.App.Services.GetRequiredService<VisitorDataStore>().EraseAsync(late[0], CancellationToken.None);

        var erased = await runner.RunAsync(query, null, CancellationToken.None);

        Assert.That(erased.Rows[0].Comparison!.Metrics[1], Is.EqualTo(kept.Rows[0].Comparison!.Metrics[1] - 1), "the earlier period's visits, less the erased one's");
        await AssertComparedUnchangedAsync(query, erased);
    }

    [Test, Order(10)]
    public async Task A_window_holds_yesterday_only_when_built_with_yesterdays_visits_whole_not_halfway_through_a_batch()
    {
        const string Half = "pagewinhalf";
        var (windows, runner, clock) = await SiteOfItsOwnAsync(Half);
        var query = View(Views[0], site: Half);
        // A visit of yesterday through another page, grown after midnight by a hit of the filtered page that is stored
        // late, in a batch that a load's build comes in the middle of: its visit rewritten, its hit not yet stored.
        var visitor = Guid.NewGuid();
        await _host.SeedAsync([Fixtures.Page(Half, visitor, new DateTime(2026, 3, 27, 23, 50, 0, DateTimeKind.Utc), "/p7")]);
        var store = _host.App.Services.GetRequiredService<HitStore>();
        var late = await store.PrepareAsync(new HitBatch([Fixtures.Page(Half, visitor, new DateTime(2026, 3, 28, 0, 5, 0, DateTimeKind.Utc), "/p1")]), CancellationToken.None);
        DateOnly? halfway = null;

        await store.WriteAsync(late!, CancellationToken.None, async step =>
        {
            if (step == WriteStep.Visits)
            {
                await runner.RunAsync(query, null, CancellationToken.None);
                halfway = await StoredEndAsync(windows, query);
            }
        });

        Assert.That(halfway, Is.EqualTo(End), "built halfway through the batch: the window stops before yesterday");
        await AssertUnchangedAsync(query, await runner.RunAsync(query, null, CancellationToken.None));
        clock.Advance(BackgroundBuilds.RebuildAfter);
        var reads = windows.Reads;
        var whole = await runner.RunAsync(query, null, CancellationToken.None);
        Assert.That(await StoredEndAsync(windows, query), Is.EqualTo(End.AddDays(1)),
            "built again after the batch: the window holds yesterday");
        Assert.That(windows.Reads, Is.EqualTo(reads + 1));
        await AssertUnchangedAsync(query, whole);
    }

    [Test, Order(11)]
    public async Task A_window_holds_yesterday_only_once_yesterdays_visits_have_closed()
    {
        const string Open = "pagewinopen";
        var (windows, runner, clock) = await SiteOfItsOwnAsync(Open);
        var query = View(Views[1], site: Open);
        // A visit of yesterday that is still going: a hit of the filtered page every 20 minutes from 23:00 to 11:40 (now is 12:00).
        var visitor = Guid.NewGuid();
        var start = new DateTime(2026, 3, 27, 23, 0, 0, DateTimeKind.Utc);
        await _host.SeedAsync([.. Enumerable.Range(0, 39).Select(i => Fixtures.Page(Open, visitor, start.AddMinutes(20 * i), i % 2 == 0 ? "/p2" : "/p5", source: "s1"))]);

        var open = await runner.RunAsync(query, null, CancellationToken.None);

        Assert.That(await StoredEndAsync(windows, query), Is.EqualTo(End), "a visit of yesterday had a hit 20 minutes ago");
        await AssertUnchangedAsync(query, open);
        clock.Advance(TimeSpan.FromMinutes(40));
        var closed = await runner.RunAsync(query, null, CancellationToken.None);
        Assert.That(await StoredEndAsync(windows, query), Is.EqualTo(End.AddDays(1)),
            "no hit for an hour: the window holds yesterday");
        await AssertUnchangedAsync(query, closed);
    }

    /// <summary>The last day (exclusive) of the stored window that answers <paramref name="query"/>, if one does (none is built).</summary>
    private static async Task<DateOnly?> StoredEndAsync(PageWindows windows, StatsQuery query) =>
        (await windows.StoredAsync(query, query.Range, CancellationToken.None))?.End;

    /// <summary>A site of random traffic on the days before today (2026-03-28, 12:00 on the clock returned), with windows and a runner of its own.</summary>
    private async Task<(PageWindows Windows, QueryRunner Runner, FakeTimeProvider Clock)> SiteOfItsOwnAsync(string site)
    {
        var hits = new List<Hit>();
        for (var i = 0; i < 600; i++)
        {
            hits.Add(RandomHit(_visitors[_random.Next(_visitors.Length)], Start.AddSeconds(_random.Next(26 * 86400)), site));
        }
        await _host.SeedAsync([.. hits.OrderBy(h => h.Timestamp)]);
        var options = _host.App.Services.GetRequiredService<IOptions<AnalystsOptions>>();
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 3, 28, 12, 0, 0, TimeSpan.Zero));
        var windows = new PageWindows(_clickHouse, new QueryPlanner(_clickHouse.Database, options.Value.QueryTimeout), clock);
        _disposables.Add(windows);
        return (windows, new QueryRunner(_clickHouse, options, pageWindows: windows), clock);
    }

    [Test]
    public void Only_a_period_of_whole_UTC_days_picked_by_hits_is_answered_by_a_window()
    {
        var range = DateRange.OfDays(First, new DateOnly(2026, 3, 31), TimeZoneInfo.Utc);
        Assert.That(QueryPlanner.PageWindowOf(View(Views[0]), range), Is.Not.Null);
        Assert.That(QueryPlanner.PageWindowOf(View(("""["visitors"]""", """["time:day"]""", """[["is","page",["/p1"]]]""")), range), Is.Null, "a time series");
        Assert.That(QueryPlanner.PageWindowOf(View(("""["visitors","events"]""", "[]", """[["is","page",["/p1"]]]""")), range), Is.Null, "a metric a window has no sum of");
        Assert.That(QueryPlanner.PageWindowOf(View(("""["visitors","visits"]""", """["source"]""", "[]")), range), Is.Null, "no page filter");
        Assert.That(QueryPlanner.PageWindowOf(View(Views[0]), DateRange.OfDays(First, new DateOnly(2026, 3, 31), TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris"))),
            Is.Null, "days off UTC");
    }

    private Hit RandomHit(Guid visitor, DateTime at, string site = Site) =>
        Fixtures.Page(site, visitor, at, "/p" + (int)(8 * Math.Pow(_random.NextDouble(), 2)),
            source: "s" + _random.Next(6), channel: "referral", country: "C" + _random.Next(5), browser: "Firefox",
            os: "Linux", device: "desktop", kind: _random.Next(10) == 0 ? HitKind.Event : HitKind.Pageview, eventName: "e");

    private Guid RandomVisitor()
    {
        var bytes = new byte[16];
        _random.NextBytes(bytes);
        return new Guid(bytes);
    }

    private StatsQuery View((string Metrics, string Dimensions, string Filters) view, string first = "2026-03-02", string last = "2026-03-31", string site = Site) =>
        _parser.Parse(JsonDocument.Parse($$$"""{"site_id":"{{{site}}}","metrics":{{{view.Metrics}}},"dimensions":{{{view.Dimensions}}},"filters":{{{view.Filters}}},"date_range":["{{{first}}}","{{{last}}}"],"pagination":{"limit":20,"offset":0}}""").RootElement);

    /// <summary>The stored window of the view for its own period, if one answers (none is built).</summary>
    private Task<StoredPageWindow?> FreshAsync(StatsQuery query) => _windows.StoredAsync(query, query.Range, CancellationToken.None);

    private static IEnumerable<string> Compared(QueryResult answer) =>
        answer.Rows.Select(r => Fixtures.Describe(r) + " against " + string.Join(",", r.Comparison!.Metrics));

    /// <summary>The answer and its comparison are the ones read by the join without windows and the ones rebuilt from raw hits, every figure.</summary>
    private async Task AssertComparedUnchangedAsync(StatsQuery query, QueryResult answer)
    {
        Assert.That(answer.Rows, Is.Not.Empty);
        Assert.That(Compared(answer), Is.EqualTo(Compared(await _joinOnly.RunAsync(query, null, CancellationToken.None))));
        Assert.That(Compared(answer), Is.EqualTo(Compared(await _runner.RunAsync(query, null, CancellationToken.None, PlanMode.HitsOnly))));
    }

    /// <summary>The answer is the one read by the join without windows and the one rebuilt from raw hits, every figure.</summary>
    private async Task AssertUnchangedAsync(StatsQuery query, QueryResult answer)
    {
        var joined = await _joinOnly.RunAsync(query, null, CancellationToken.None);
        var raw = await _runner.RunAsync(query, null, CancellationToken.None, PlanMode.HitsOnly);
        Assert.That(answer.Rows, Is.Not.Empty);
        Assert.That(answer.Rows.Select(Fixtures.Describe), Is.EqualTo(joined.Rows.Select(Fixtures.Describe)));
        Assert.That(answer.Rows.Select(Fixtures.Describe), Is.EqualTo(raw.Rows.Select(Fixtures.Describe)));
        Assert.That(answer.TotalRows, Is.EqualTo(raw.TotalRows));
    }
}
