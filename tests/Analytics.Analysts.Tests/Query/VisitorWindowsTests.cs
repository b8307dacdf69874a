using System.Text.Json;
using Analytics.Analysts.Query;
using Analytics.Pipeline.ClickHouse;
using Analytics.Pipeline.Hits;
using Analytics.Pipeline.Storage;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Analytics.Analysts.Tests.Query;

/// <summary>
/// The dashboard's panels read through a stored window (a period's closed days merged ahead,
/// <see cref="VisitorWindows"/>) answer as raw hits do, also after late data, an erasure, or a window built
/// before an erasure that is stored after it. Random traffic (seed printed); "today" is a fixed day within it,
/// so a panel reads the window and the spans of the days after it.
/// </summary>
[TestFixture]
public sealed class VisitorWindowsTests
{
    private static readonly DateTime Start = new(2026, 3, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly DateOnly First = new(2026, 3, 2);
    private static readonly DateOnly End = new(2026, 3, 27);
    private static readonly string[] Panels = ["page", "country", "source", "browser"];
    private StatsHost _host = null!;
    private StatsQueryParser _parser = null!;
    private IClickHouse _clickHouse = null!;
    private VisitorWindows _windows = null!;
    private QueryRunner _runner = null!;
    private QueryRunner _spansOnly = null!;
    private Guid[] _visitors = null!;
    private Random _random = null!;

    [OneTimeSetUp]
    public async Task Seed()
    {
        // VISITOR_WINDOWS_SEED replays a run whose seed a failure printed.
        var seed = int.TryParse(Environment.GetEnvironmentVariable("VISITOR_WINDOWS_SEED"), out var given) ? given : Environment.TickCount;
        TestContext.Progress.WriteLine($"seed {seed}");
        _random = new Random(seed);
        _host = await StatsHost.StartAsync("--Analysts:VisitorWindows=false");
        _parser = _host.App.Services.GetRequiredService<StatsQueryParser>();
        _clickHouse = _host.App.Services.GetRequiredService<IClickHouse>();
        // Today is 2026-03-28, 12:00: a window of 2026-03-02..26 and the spans of the 27th to the 31st; of pages, 2026-03-02..27.
        _windows = new VisitorWindows(_clickHouse, new FakeTimeProvider(new DateTimeOffset(2026, 3, 28, 12, 0, 0, TimeSpan.Zero)));
        _runner = new QueryRunner(_clickHouse, _host.App.Services.GetRequiredService<IOptions<AnalystsOptions>>(), windows: _windows);
        _spansOnly = _host.App.Services.GetRequiredService<QueryRunner>();
        _visitors = [.. Enumerable.Range(0, 300).Select(_ => Guid.NewGuid())];
        await _host.SeedAsync([.. Enumerable.Range(0, 4000).Select(_ => RandomHit(Start.AddSeconds(_random.Next(31 * 86400)))).OrderBy(h => h.Timestamp)]);
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        await _windows.DisposeAsync();
        await _host.DisposeAsync();
    }

    [Test, Order(1)]
    public async Task Panels_read_through_a_built_window_are_the_raw_panels()
    {
        foreach (var panel in Panels)
        {
            var query = Panel(panel, limit: panel == "browser" ? 3 : 5, offset: panel == "country" ? 1 : 0);
            Assert.That(await FreshAsync(panel), Is.Null, $"{panel}: no window before a build");
            await _windows.BuildAsync("win", panel, First, EndOf(panel), CancellationToken.None);
            var reads = _windows.Reads;

            var windowed = await _runner.RunAsync(query, null, CancellationToken.None);

            Assert.That(_windows.Reads, Is.EqualTo(reads + 1), $"{panel}: read through the window");
            await AssertRawAsync(query, windowed);
        }
    }

    [Test, Order(2)]
    public async Task A_panel_reads_the_values_a_window_does_not_hold_from_the_spans()
    {
        // A window of the 3 most visited pages, and a panel of 8 from the second: most of its values are not in it.
        await _windows.IdleAsync(); // the builds the first test's checks started, so the newest build of sources is the one below
        await using var few = new VisitorWindows(_clickHouse, new FakeTimeProvider(new DateTimeOffset(2026, 3, 28, 12, 0, 0, TimeSpan.Zero)), values: 3);
        var runner = new QueryRunner(_clickHouse, _host.App.Services.GetRequiredService<IOptions<AnalystsOptions>>(), windows: few);
        await few.BuildAsync("win", "source", First, End, CancellationToken.None);
        var query = Panel("source", limit: 4, offset: 1);

        var windowed = await runner.RunAsync(query, null, CancellationToken.None);

        Assert.That(few.Reads, Is.EqualTo(1));
        Assert.That(await Fixtures.CountAsync(_clickHouse, $"SELECT count() FROM {_clickHouse.Database}.{VisitorWindows.Table} WHERE site_id = 'win' AND attribute = 'source' AND built = (SELECT max(built) FROM {_clickHouse.Database}.{VisitorWindows.Table} WHERE attribute = 'source')"), Is.EqualTo(3));
        await AssertRawAsync(query, windowed);
    }

    [Test, Order(3)]
    public async Task Late_hits_on_a_windowed_day_make_the_window_unused_until_it_is_built_again()
    {
        Assert.That(await FreshAsync("country"), Is.Not.Null);
        // New visitors on a day inside the window, from the countries the window already holds.
        await _host.SeedAsync([.. Enumerable.Range(0, 30).Select(i => Fixtures.Page("win", Guid.NewGuid(), Start.AddDays(9).AddMinutes(i), "/p1", country: "C" + (i % 3), source: "s0"))]);

        Assert.That(await FreshAsync("country"), Is.Null, "the window no longer answers");
        Assert.That(await FreshAsync("page"), Is.Null, "nor that of pages");
        await AssertRawAsync(Panel("country", limit: 5, offset: 0), await _runner.RunAsync(Panel("country", limit: 5, offset: 0), null, CancellationToken.None));

        await _windows.BuildAsync("win", "country", First, End, CancellationToken.None);
        var reads = _windows.Reads;
        var rebuilt = await _runner.RunAsync(Panel("country", limit: 5, offset: 0), null, CancellationToken.None);
        Assert.That(_windows.Reads, Is.EqualTo(reads + 1));
        await AssertRawAsync(Panel("country", limit: 5, offset: 0), rebuilt);
    }

    [Test, Order(4)]
    public async Task An_erasure_deletes_the_windows_and_one_built_before_it_is_never_read()
    {
        await _windows.BuildAsync("win", "country", First, End, CancellationToken.None);
        Assert.That(await FreshAsync("country"), Is.Not.Null);
        var db = _clickHouse.Database;
        // A build that read the states before the erasure and is stored after it: kept aside, put back after.
        await _clickHouse.ExecuteAsync($"CREATE TABLE {db}.windows_before_erasure AS {db}.{VisitorWindows.Table}");
        await _clickHouse.ExecuteAsync($"INSERT INTO {db}.windows_before_erasure SELECT * FROM {db}.{VisitorWindows.Table} WHERE site_id = 'win'");
        var erased = _visitors[_random.Next(_visitors.Length)];
        TestContext.Progress.WriteLine($"erasing {erased}");

        await _host.App.Services.GetRequiredService<VisitorDataStore>().EraseAsync(erased, CancellationToken.None);

        Assert.That(await Fixtures.CountAsync(_clickHouse, $"SELECT count() FROM {db}.{VisitorWindows.Table} WHERE site_id = 'win'"), Is.Zero, "the site's windows are deleted");
        await _clickHouse.ExecuteAsync($"INSERT INTO {db}.{VisitorWindows.Table} SELECT * FROM {db}.windows_before_erasure");
        Assert.That(await FreshAsync("country"), Is.Null, "a window built before the erasure is not read");
        var query = Panel("country", limit: 8, offset: 0);
        await AssertRawAsync(query, await _runner.RunAsync(query, null, CancellationToken.None));

        await _windows.BuildAsync("win", "country", First, End, CancellationToken.None);
        var reads = _windows.Reads;
        var after = await _runner.RunAsync(query, null, CancellationToken.None);
        Assert.That(_windows.Reads, Is.EqualTo(reads + 1), "a window built after the erasure is read");
        await AssertRawAsync(query, after);
    }

    [Test, Order(5)]
    public async Task A_panel_without_a_window_builds_one_in_the_background_that_the_next_load_reads()
    {
        // Days no test asked for before (a window asked for is built at most once a minute, and the clock stands still).
        var query = Panel("browser", limit: 3, offset: 0, first: "2026-03-03", last: "2026-03-30");

        var first = await _runner.RunAsync(query, null, CancellationToken.None);
        await _windows.IdleAsync();
        var reads = _windows.Reads;
        var second = await _runner.RunAsync(query, null, CancellationToken.None);

        Assert.That(_windows.Reads, Is.EqualTo(reads + 1), "the second load reads the window the first one built");
        await AssertRawAsync(query, first);
        await AssertRawAsync(query, second);
    }

    [Test, Order(6)]
    public async Task A_window_found_once_is_tested_from_its_totals_alone_until_its_build_is_twenty_hours_old()
    {
        var recorded = new RecordedStatements(_clickHouse);
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 3, 28, 0, 30, 0, TimeSpan.Zero));
        await using var windows = new VisitorWindows(recorded, clock);
        var runner = new QueryRunner(recorded, _host.App.Services.GetRequiredService<IOptions<AnalystsOptions>>(), windows: windows);
        var range = DateRange.OfDays(First, new DateOnly(2026, 3, 31), TimeZoneInfo.Utc);
        var query = Panel("source", limit: 5, offset: 0);
        await windows.BuildAsync("win", "source", First, End, CancellationToken.None);
        Assert.That(await windows.FreshAsync("win", "source", range, CancellationToken.None), Is.Not.Null, "found by a lookup of its rows");
        recorded.Clear();

        Assert.That(await windows.FreshAsync("win", "source", range, CancellationToken.None), Is.Not.Null);
        Assert.That(recorded.Statements, Has.Count.EqualTo(1).And.None.Contains(VisitorWindows.Table), "one statement, no read of the window's rows");
        var reads = windows.Reads;
        await AssertRawAsync(query, await runner.RunAsync(query, null, CancellationToken.None));
        Assert.That(windows.Reads, Is.EqualTo(reads + 1), "the panel read the remembered window");

        // Its rows gone, as by the TTL a day after the build: a build 20 hours old is looked up again, and not read.
        var db = _clickHouse.Database;
        await _clickHouse.ExecuteAsync($"ALTER TABLE {db}.{VisitorWindows.Table} DELETE WHERE site_id = 'win' AND attribute = 'source' SETTINGS mutations_sync = 2");
        clock.Advance(TimeSpan.FromHours(20));
        recorded.Clear();
        reads = windows.Reads;

        await AssertRawAsync(query, await runner.RunAsync(query, null, CancellationToken.None));
        Assert.That(windows.Reads, Is.EqualTo(reads), "no window read");
        Assert.That(recorded.Statements, Has.Some.Contains($"FROM {db}.{VisitorWindows.Table}"), "looked up again");
    }

    [Test, Order(7)]
    public async Task A_window_of_pages_holds_yesterday_once_today_is_an_hour_old_and_one_of_visits_never()
    {
        var recorded = new RecordedStatements(_clickHouse);
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 3, 28, 0, 59, 59, TimeSpan.Zero));
        await using var windows = new VisitorWindows(recorded, clock);
        var runner = new QueryRunner(recorded, _host.App.Services.GetRequiredService<IOptions<AnalystsOptions>>(), windows: windows);
        var range = DateRange.OfDays(First, new DateOnly(2026, 3, 31), TimeZoneInfo.Utc);
        var query = Panel("page", limit: 5, offset: 0);
        Assert.That(VisitorWindows.DaysOf("page", range, clock.GetUtcNow()), Is.EqualTo((First, End)));
        await windows.BuildAsync("win", "page", First, End, CancellationToken.None);
        recorded.Clear();

        await AssertRawAsync(query, await runner.RunAsync(query, null, CancellationToken.None));

        Assert.That(windows.Reads, Is.EqualTo(1));
        Assert.That(recorded.Statements, Has.Some.Contains($"end_day = {VisitorWindows.Date(End)}"), "the window of the days before yesterday is read");
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.That(VisitorWindows.DaysOf("page", range, clock.GetUtcNow()), Is.EqualTo((First, End.AddDays(1))), "from 01:00 a window of pages holds yesterday");
        Assert.That(VisitorWindows.DaysOf("country", range, clock.GetUtcNow()), Is.EqualTo((First, End)), "a window of visits does not");
    }

    [Test, Order(8)]
    public async Task A_visit_of_yesterday_that_grows_after_midnight_changes_no_window()
    {
        // A visit begun at 23:50 yesterday, before the builds.
        var visitor = Guid.NewGuid();
        var yesterday = End.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        await _host.SeedAsync([Fixtures.Page("win", visitor, yesterday.AddHours(23).AddMinutes(50), "/p1", country: "C0", source: "s0")]);
        await _windows.BuildAsync("win", "country", First, End, CancellationToken.None);
        await _windows.BuildAsync("win", "page", First, EndOf("page"), CancellationToken.None);

        // Its next hit, at 00:10 today: the visit's rows on yesterday are written again, and today's rows of its page.
        await _host.SeedAsync([Fixtures.Page("win", visitor, yesterday.AddDays(1).AddMinutes(10), "/p2", country: "C0", source: "s0")]);

        Assert.That(await Fixtures.CountAsync(_clickHouse, $"SELECT sum(sign * pageviews) FROM {_clickHouse.Database}.sessions WHERE visitor_id = '{visitor}' AND toDate(started_at) = {VisitorWindows.Date(End)}"),
            Is.EqualTo(2), "one visit of two pageviews, begun yesterday");
        foreach (var panel in new[] { "country", "page" })
        {
            Assert.That(await FreshAsync(panel), Is.Not.Null, $"{panel}: the window still answers");
            var query = Panel(panel, limit: 5, offset: 0);
            await AssertRawAsync(query, await _runner.RunAsync(query, null, CancellationToken.None));
        }
    }

    [Test, Order(9)]
    public async Task A_late_pageview_of_yesterday_makes_the_window_of_pages_through_yesterday_unused()
    {
        await _windows.BuildAsync("win", "page", First, EndOf("page"), CancellationToken.None);
        Assert.That(await FreshAsync("page"), Is.Not.Null);

        // Stored late (a replay, an import): a pageview at noon yesterday, of a page the window holds.
        await _host.SeedAsync([Fixtures.Page("win", Guid.NewGuid(), End.ToDateTime(new TimeOnly(12, 0), DateTimeKind.Utc), "/p1")]);

        Assert.That(await FreshAsync("page"), Is.Null, "the window no longer answers");
        var query = Panel("page", limit: 5, offset: 0);
        await AssertRawAsync(query, await _runner.RunAsync(query, null, CancellationToken.None));
    }

    private Hit RandomHit(DateTime at)
    {
        var visitor = _random.Next(12) == 0 ? Guid.Empty : _visitors[_random.Next(_visitors.Length)];
        var browser = _random.Next(3) switch { 0 => "Firefox", 1 => "Chrome", _ => "Safari" };
        return Fixtures.Page("win", visitor, at, "/p" + (int)(12 * Math.Pow(_random.NextDouble(), 2)),
            source: "s" + _random.Next(6), channel: "referral", country: "C" + (int)(8 * Math.Pow(_random.NextDouble(), 1.5)), browser: browser,
            os: "Linux", device: "desktop", kind: _random.Next(10) == 0 ? HitKind.Event : HitKind.Pageview, eventName: "e");
    }

    private StatsQuery Panel(string dimension, int limit, int offset, string first = "2026-03-02", string last = "2026-03-31") =>
        _parser.Parse(JsonDocument.Parse($$$"""{"site_id":"win","metrics":["visitors","{{{(dimension == "page" ? "pageviews" : "visits")}}}"],"dimensions":["{{{dimension}}}"],"date_range":["{{{first}}}","{{{last}}}"],"pagination":{"limit":{{{limit}}},"offset":{{{offset}}}}}""").RootElement);

    /// <summary>The end of the window the fixture's clock (2026-03-28, 12:00) gives a panel: pages hold yesterday, visits do not.</summary>
    private static DateOnly EndOf(string panel) => panel == "page" ? End.AddDays(1) : End;

    /// <summary>The stored window of the panel's attribute (named as the dimension) for 2026-03-02..31, if one answers.</summary>
    private Task<StoredWindow?> FreshAsync(string panel) =>
        _windows.FreshAsync("win", panel, DateRange.OfDays(First, new DateOnly(2026, 3, 31), TimeZoneInfo.Utc), CancellationToken.None);

    /// <summary>
    /// The answer is the one read without windows (every metric), and its visitors are the raw hits' (an erasure
    /// takes the visitor out of every visitor state; the rollups' sums, counts without IDs, stay).
    /// </summary>
    private async Task AssertRawAsync(StatsQuery query, QueryResult answer)
    {
        var spans = await _spansOnly.RunAsync(query, null, CancellationToken.None);
        var raw = await _runner.RunAsync(query, null, CancellationToken.None, PlanMode.HitsOnly);
        Assert.That(answer.Rows, Is.Not.Empty);
        Assert.That(answer.Rows.Select(Fixtures.Describe), Is.EqualTo(spans.Rows.Select(Fixtures.Describe)));
        Assert.That(answer.Rows.Select(r => $"{r.Dimensions[0]} => {r.Metrics[0]}"), Is.EqualTo(raw.Rows.Select(r => $"{r.Dimensions[0]} => {r.Metrics[0]}")));
        Assert.That(answer.TotalRows, Is.EqualTo(raw.TotalRows));
    }
}
