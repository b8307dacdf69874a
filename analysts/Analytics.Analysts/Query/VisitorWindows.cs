using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Analytics.Pipeline.ClickHouse;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Analytics.Analysts.Query;

/// <summary>A stored window a reader may use: the attribute and the days [<see cref="First"/>, <see cref="End"/>) it merges, and its build.</summary>
public sealed record StoredWindow(string Attribute, DateOnly First, DateOnly End, string Built);

/// <summary>
/// visitor_windows (schema/0027): the visitor states and sums of a period's closed days (<see cref="OpenFrom"/>: those
/// before yesterday, and for pages, once today is an hour old, those before today), merged into one row per attribute
/// value, so a panel over the period merges that row with the spans of the days after it (3 states per value, pages 2,
/// instead of about 6 for 30 days). The window is
/// built the first time a panel asks for it, in the background (that answer reads the spans), and used while
/// the spans of its days are as they were when it was merged: the sums of writes, visits and pageviews of
/// the site's total rows over its days are the same (late data or a TTL delete changes them), and its build
/// began after the last erasure ended (an erase rebuilds the states of the visitor's days, deletes the site's
/// windows, <c>ErasedVisitorStates</c>, and writes its tombstone again at its end).
/// A window whose days changed is built again, at most once per <see cref="BackgroundBuilds.RebuildAfter"/>; meanwhile panels read the spans.
/// A window found usable is remembered with the totals its build read, and a later panel only tests those and the last
/// erasure (<see cref="StillAnswersAsync"/>: 7.5 ms against 12.4 ms for the lookup at 10 M hits, benchmarks/README.md),
/// while its build is younger than <see cref="TrustedAge"/>: its rows are kept a day (TTL), and the test does not read them.
/// </summary>
/// <param name="clickHouse">Where the spans and windows are.</param>
/// <param name="time">The clock that says which day is today (UTC).</param>
/// <param name="logger">Says why a build failed.</param>
/// <param name="values">How many values a window holds (<see cref="DefaultValues"/>).</param>
public sealed partial class VisitorWindows(IClickHouse clickHouse, TimeProvider time, ILogger<VisitorWindows>? logger = null, int values = VisitorWindows.DefaultValues) : IAsyncDisposable
{
    public const string Table = "visitor_windows";

    /// <summary>The fewest spans a window must stand for to be worth a build: it saves their merges, less its own.</summary>
    private const int MinSpans = 3;

    /// <summary>
    /// The values a window holds: the most visited over its days (by visits, or pageviews for pages). A panel
    /// counts about its page's values; any other value it needs is read from the spans. Merging every value
    /// of a site with thousands of pages stopped the engine for seconds (2,004 pages: 1.6 s at 10 M hits).
    /// </summary>
    public const int DefaultValues = 50;

    /// <summary>The age of a build up to which a remembered window is read without a lookup of its rows (they are deleted a day after the build).</summary>
    private static readonly TimeSpan TrustedAge = TimeSpan.FromHours(20);

    /// <summary>The most windows remembered; past it, all are forgotten (each is then looked up again).</summary>
    private const int MaxRemembered = 4096;

    private readonly ILogger _logger = logger ?? NullLogger<VisitorWindows>.Instance;
    private readonly BackgroundBuilds _builds = new(time);
    private readonly ConcurrentDictionary<string, Found> _remembered = new(StringComparer.Ordinal);
    private long _reads;

    /// <summary>How many reads since start found a stored window that still answers.</summary>
    public long Reads => Interlocked.Read(ref _reads);

    /// <summary>
    /// How long into a day (UTC) hits of the day before still arrive as a matter of course: the pipeline's lag, with room
    /// to spare. Only a matter of speed: a window whose days change later (late or imported data) is found changed and built again.
    /// </summary>
    internal static readonly TimeSpan DayClosesAfter = TimeSpan.FromHours(1);

    /// <summary>
    /// The first day (UTC) a window of <paramref name="attribute"/> rows leaves to the spans at <paramref name="now"/>.
    /// Hit-fed rows (pages) are by each hit's own time, so yesterday's take only late hits once today is
    /// <see cref="DayClosesAfter"/> old: from then their window holds yesterday. Visit-fed rows are by the day a visit
    /// began, and a visit of yesterday takes hits for as long as its visitor comes back within 30 minutes (hours, on a
    /// page that reloads itself), each rewriting its rows: their window stops before yesterday.
    /// </summary>
    internal static DateOnly OpenFrom(string attribute, DateTimeOffset now)
    {
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        return VisitorSpans.IsHitFed(attribute) && now.UtcDateTime.TimeOfDay >= DayClosesAfter ? today : today.AddDays(-1);
    }

    /// <summary>
    /// The days of <paramref name="range"/> (whole UTC days) a window of <paramref name="attribute"/> rows stands for at
    /// <paramref name="now"/>: from its start up to <see cref="OpenFrom"/>, when that covers at least <see cref="MinSpans"/>
    /// spans; null otherwise.
    /// </summary>
    public static (DateOnly First, DateOnly End)? DaysOf(string attribute, DateRange range, DateTimeOffset now)
    {
        var (first, end) = ClosedDays(range, OpenFrom(attribute, now));
        return end > first && VisitorSpans.Cover(Days(first, end)).Count >= MinSpans ? (first, end) : null;
    }

    /// <summary>The whole UTC days of <paramref name="range"/> from its start up to <paramref name="open"/>: [First, End), End at most <paramref name="open"/>.</summary>
    internal static (DateOnly First, DateOnly End) ClosedDays(DateRange range, DateOnly open)
    {
        var end = DateOnly.FromDateTime(range.To);
        return (DateOnly.FromDateTime(range.From), end > open ? open : end);
    }

    /// <summary>
    /// The window of <paramref name="attribute"/> rows for <paramref name="range"/> if one is stored and still
    /// answers; if none does, one is built in the background (unless built within <see cref="BackgroundBuilds.RebuildAfter"/>).
    /// </summary>
    public async Task<StoredWindow?> FreshAsync(string site, string attribute, DateRange range, CancellationToken cancellationToken)
    {
        if (DaysOf(attribute, range, time.GetUtcNow()) is not var (first, end))
        {
            return null;
        }
        var name = string.Join('\n', site, attribute, Date(first), Date(end));
        if (_remembered.TryGetValue(name, out var found) && time.GetUtcNow() < found.TrustedUntil)
        {
            if (await StillAnswersAsync(site, found, cancellationToken))
            {
                Interlocked.Increment(ref _reads);
                return found.Window;
            }
            _remembered.TryRemove(name, out _);
        }
        if (await BuiltAsync(site, attribute, first, end, cancellationToken) is not (var built, var totals, var age))
        {
            BuildInBackground(site, attribute, first, end);
            return null;
        }
        var window = new StoredWindow(attribute, first, end, built);
        if (age < TrustedAge)
        {
            if (_remembered.Count >= MaxRemembered)
            {
                _remembered.Clear();
            }
            _remembered[name] = new Found(window, totals, time.GetUtcNow() + TrustedAge - age);
        }
        Interlocked.Increment(ref _reads);
        return window;
    }

    /// <summary>Merges and stores the window of <paramref name="attribute"/> rows of <paramref name="site"/> for [<paramref name="first"/>, <paramref name="end"/>).</summary>
    public async Task BuildAsync(string site, string attribute, DateOnly first, DateOnly end, CancellationToken cancellationToken)
    {
        var database = clickHouse.Database;
        // The engine's clock and the totals first, in a statement of their own, so the states merged after
        // hold at least what the totals count (a row written in between changes the totals a reader compares:
        // the window is then not read), and an erasure that ends after this instant makes the build unusable.
        var parameters = Parameters(site, attribute);
        var now = Encoding.UTF8.GetString(await clickHouse.QueryAsync(
            $"SELECT toString(now64(6, 'UTC')), {TotalsSql(database, first, end)}", "TabSeparated", parameters, cancellationToken)).TrimEnd('\n').Split('\t');
        parameters["built"] = now[0];
        var cover = VisitorSpans.CoverSql(Days(first, end));
        var sql = $$"""
            INSERT INTO {{database}}.{{Table}} (site_id, attribute, first_day, end_day, built, value, visitors_exact, visits, pageviews,
                anonymous_pageviews, bounces, visit_duration, total_writes, total_visits, total_pageviews)
            SELECT site_id, attribute, {{Date(first)}}, {{Date(end)}}, toDateTime64({built:String}, 6, 'UTC'), value, uniqCombined64MergeState(19)(visitors_exact),
                sum(visits), sum(pageviews), sum(anonymous_pageviews), sum(bounces), sum(visit_duration),
                {{Number(now[1])}}, {{Number(now[2])}}, {{Number(now[3])}}
            FROM {{database}}.{{VisitorSpans.Table}}
            WHERE site_id = {site:String} AND attribute = {attribute:String} AND {{cover}}
                AND value IN (
                    SELECT value FROM {{database}}.{{VisitorSpans.Table}}
                    WHERE site_id = {site:String} AND attribute = {attribute:String} AND {{cover}}
                    GROUP BY value ORDER BY sum({{(VisitorSpans.IsHitFed(attribute) ? "pageviews" : "visits")}}) DESC, value LIMIT {{values}})
            GROUP BY site_id, attribute, value
            SETTINGS insert_distributed_sync = 1
            """;
        await clickHouse.ExecuteAsync(sql, parameters, cancellationToken);
    }

    /// <summary>Waits for a build still running (the host stops; tests).</summary>
    public Task IdleAsync() => _builds.IdleAsync();

    public ValueTask DisposeAsync() => _builds.DisposeAsync();

    /// <summary>
    /// The newest build of the window if it still answers, as text the engine reads back, with the totals it read and its
    /// age by the engine's clock; null otherwise.
    /// </summary>
    private async Task<(string Built, string Totals, TimeSpan Age)?> BuiltAsync(string site, string attribute, DateOnly first, DateOnly end, CancellationToken cancellationToken)
    {
        var database = clickHouse.Database;
        // The newest build's first row (read backwards along the key: one granule), checked against the totals now.
        var sql = $$"""
            SELECT toString(built), built > (SELECT max(erased_at) FROM {{database}}.erasures)
                AND (total_writes, total_visits, total_pageviews) = (SELECT {{TotalsSql(database, first, end)}}),
                total_writes, total_visits, total_pageviews, dateDiff('second', built, now64(6, 'UTC'))
            FROM {{database}}.{{Table}}
            WHERE site_id = {site:String} AND attribute = {attribute:String} AND first_day = {{Date(first)}} AND end_day = {{Date(end)}}
            ORDER BY built DESC
            LIMIT 1
            """;
        var fields = Encoding.UTF8.GetString(await clickHouse.QueryAsync(sql, "TabSeparated", Parameters(site, attribute), cancellationToken)).TrimEnd('\n').Split('\t');
        return fields is [var built, "1", var writes, var visits, var pageviews, var age]
            ? (built, TupleOf([writes, visits, pageviews]), TimeSpan.FromSeconds(long.Parse(age, CultureInfo.InvariantCulture)))
            : null;
    }

    /// <summary>Whether a remembered window's build still answers, from the totals it read: the span totals as they were, no erasure since.</summary>
    private async Task<bool> StillAnswersAsync(string site, Found found, CancellationToken cancellationToken)
    {
        var database = clickHouse.Database;
        var window = found.Window;
        var sql = StillAnswersSql(database, "{built:String}", TotalsSql(database, window.First, window.End), found.Totals);
        var parameters = Parameters(site, window.Attribute);
        parameters["built"] = window.Built;
        return Encoding.UTF8.GetString(await clickHouse.QueryAsync(sql, "TabSeparated", parameters, cancellationToken)).TrimEnd('\n') == "1";
    }

    /// <summary>A window found usable, the totals its build read (the SQL of a tuple), and until when it may be read without a lookup.</summary>
    private sealed record Found(StoredWindow Window, string Totals, DateTimeOffset TrustedUntil);

    /// <summary>
    /// The sums of writes, visits and pageviews of the site's total rows over the window's days: 'hits' for
    /// a hit-fed attribute, 'visits' for a visit-fed one. The views write a total row beside every row they
    /// write on a day (each hit counts in 'hits' and, a pageview, in 'page'; each visit row in 'visits' and in
    /// every visit attribute), and the total rows are a few per day, where an attribute's are one per value.
    /// </summary>
    private static string TotalsSql(string database, DateOnly first, DateOnly end) =>
        $"sum(writes), sum(visits), sum(pageviews) FROM {database}.{VisitorSpans.Table} WHERE site_id = {{site:String}} "
        + $"AND attribute = {{totals:String}} AND {VisitorSpans.CoverSql(Days(first, end))}";

    /// <summary>Starts a build unless one of this window began within <see cref="BackgroundBuilds.RebuildAfter"/>; one build at a time, after the one running.</summary>
    private void BuildInBackground(string site, string attribute, DateOnly first, DateOnly end) =>
        _builds.Start(string.Join('\n', site, attribute, Date(first), Date(end)), stopping => BuildQuietlyAsync(site, attribute, first, end, stopping));

    private async Task BuildQuietlyAsync(string site, string attribute, DateOnly first, DateOnly end, CancellationToken stopping)
    {
        try
        {
            await BuildAsync(site, attribute, first, end, stopping);
        }
        catch (Exception e) when (e is ClickHouseException or OperationCanceledException or ObjectDisposedException or FormatException or OverflowException)
        {
            // Panels read the spans meanwhile, as before there were windows; a read-only user ends here every time.
            Log.NotStored(_logger, attribute, site, first, end.AddDays(-1), e.Message);
        }
    }

    private static Dictionary<string, string> Parameters(string site, string attribute) =>
        new() { ["site"] = site, ["attribute"] = attribute, ["totals"] = VisitorSpans.IsHitFed(attribute) ? "hits" : "visits" };

    /// <summary>
    /// A test that a window's build (<paramref name="built"/>, the SQL of its time) still answers, from the totals it read
    /// (<paramref name="totals"/>, <see cref="TupleOf"/>): no erasure since it began, and <paramref name="totalsSql"/> as
    /// they were. No read of the window's rows. One row: 1 or 0.
    /// </summary>
    internal static string StillAnswersSql(string database, string built, string totalsSql, string totals) =>
        $"SELECT max(erased_at) < toDateTime64({built}, 6, 'UTC') AND (SELECT {totalsSql}) = {totals} FROM {database}.erasures";

    /// <summary>Sums the engine answered, written back into SQL as a tuple (each checked to be a number).</summary>
    internal static string TupleOf(IEnumerable<string> sums) => $"({string.Join(", ", sums.Select(Number))})";

    /// <summary>A sum the engine answered, written back into SQL (checked to be a number).</summary>
    internal static string Number(string sum) => long.Parse(sum, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture);

    /// <summary>A day as an SQL literal (formatted here, never from a caller).</summary>
    internal static string Date(DateOnly day) => $"toDate('{day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}')";

    /// <summary>The whole UTC days [<paramref name="first"/>, <paramref name="end"/>).</summary>
    internal static DateRange Days(DateOnly first, DateOnly end) =>
        new(first.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc), end.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc), first, end.AddDays(-1));

    private static partial class Log
    {
        [LoggerMessage(5601, LogLevel.Warning, "Could not store the {Attribute} window of site {Site} for {First}..{Last}: {Error}")]
        public static partial void NotStored(ILogger logger, string attribute, string site, DateOnly first, DateOnly last, string error);
    }
}
