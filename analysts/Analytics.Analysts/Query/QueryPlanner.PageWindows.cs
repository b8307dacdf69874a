using Analytics.Pipeline.Schema;

namespace Analytics.Analysts.Query;

/// <summary>What a stored page window answers: the query's filter (as its SQL and values) and the column of its one dimension ('' for none).</summary>
public sealed record PageWindowKey(string Filter, string Attribute);

/// <summary>The planner's SQL for visits picked by their hits read through a stored page window (<see cref="PageWindows"/>).</summary>
public sealed partial class QueryPlanner
{
    /// <summary>The metrics a page window holds the sums for (the span metrics).</summary>
    private static readonly HashSet<string> PageWindowMetrics = ["visitors", "estimated_visitors", "visits", "pageviews", "views_per_visit", "bounce_rate", "visit_duration"];

    /// <summary>
    /// The page window that could answer <paramref name="query"/> over <paramref name="range"/>: a period (no time
    /// dimension, at most one dimension, whole UTC days) whose visits are picked by their hits
    /// (<see cref="PlanSource.SessionsByHits"/>), with the metrics a window holds; null otherwise.
    /// </summary>
    public static PageWindowKey? PageWindowOf(StatsQuery query, DateRange range, PlanMode mode = PlanMode.Best)
    {
        var simple = query with { Filter = SourceChoice.Simplified(query.Filter) };
        if (mode != PlanMode.Best || simple.Filter is null || SourceFor(simple, range, mode) != PlanSource.SessionsByHits
            || simple.HasTimeDimension || simple.Dimensions.Count > 1 || simple.Dimensions.Any(d => d.Column is null)
            || !simple.Metrics.All(m => PageWindowMetrics.Contains(m.Name))
            || range.From.TimeOfDay != TimeSpan.Zero || range.To.TimeOfDay != TimeSpan.Zero)
        {
            return null;
        }
        // The filter's SQL with its values: the same filter always reads the same, whatever else the query asks.
        var p = new SqlParameters();
        var filter = FilterSql(simple.Filter, p);
        var values = string.Concat(p.Values.OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => $"\n{v.Key}={v.Value}"));
        return new PageWindowKey(filter + values, simple.Dimensions is [var dimension] ? dimension.Column!.Column : "");
    }

    /// <summary>
    /// A window's rows for the whole UTC days of <paramref name="days"/>: per value of the query's dimension, the
    /// visitor state and the signed sums of the visits <see cref="SessionsByHitsSql"/> picks (value, then the span columns).
    /// </summary>
    public QueryPlan PageWindowRowsPlan(StatsQuery query, DateRange days)
    {
        var p = new SqlParameters();
        var simple = query with { Filter = SourceChoice.Simplified(query.Filter) };
        var sql = PageWindowRowsSql(simple, days, p.AddString(simple.SiteId), p.AddString(simple.TimeZone.Id), p);
        // The join's hash table from the page's hits grouped by visit (the left side), not from the days' visits: the
        // engine's own choice flipped to the visits for a window that holds yesterday (its estimates of the two sides),
        // and its first build in a process then took 3.4-3.6 s against 0.9 s (benchmarks/README.md, "Page windows that
        // hold yesterday"). A page's visits are at most the days' visits, so the left side is never the larger.
        return new QueryPlan(sql, p.Values, PlanSource.SessionsByHits) { Settings = ReadsPageTotal(simple) ? "query_plan_join_swap_table = 'true'" : null };
    }

    /// <summary>Whether a window's rows for <paramref name="query"/> are read by <see cref="PageTotalRowsSql"/>.</summary>
    private static bool ReadsPageTotal(StatsQuery query) =>
        query.Dimensions.Count == 0 && query.HitsCarryVisits && query.Filter is { } filter && IsHitOnly(filter);

    /// <summary>
    /// The stored window's rows for its days and the rows of the days after it, made alike (<see cref="SpanColumns"/>, value
    /// as d0); with <paramref name="freshVisitors"/>, also fresh_visitors: on the rows of the days after the window, their
    /// visitors with a pageview the filter picks (0 on the window's rows).
    /// </summary>
    private string PageWindowAndFreshSql(StoredPageWindow window, StatsQuery query, DateRange range, string site, string tz, SqlParameters p, bool freshVisitors)
    {
        var build = $"""
            site_id = {site} AND filter = {p.AddString(window.Key.Filter)} AND attribute = {p.AddString(window.Key.Attribute)}
              AND first_day = {VisitorWindows.Date(window.First)} AND end_day = {VisitorWindows.Date(window.End)}
              AND hits_end_day = {VisitorWindows.Date(window.HitsEnd)} AND built = toDateTime64({p.AddString(window.Built)}, 6, 'UTC')
            """;
        var fresh = freshVisitors ? ", fresh_visitors" : "";
        // The window's check in the same statement (a scalar, run once before the rows are read): a load of a
        // remembered window runs no statement of its own for it, and one whose rows changed fails, not answers.
        var windowRows = $"""
            SELECT {SpanColumns}{(freshVisitors ? ", toUInt64(0) AS fresh_visitors" : "")} FROM {database}.{PageWindows.Table}
            WHERE {build}
              AND (SELECT throwIf(count() = 0, '{PageWindows.ChangedMessage}') FROM {database}.{PageWindows.Table}
                 WHERE {build} AND {PageWindows.AnswersSql(database, window.First, window.End, window.HitsEnd, site)}) = 0
            """;
        var rest = new DateRange(VisitorWindows.Days(window.First, window.End).To, range.To, window.End, range.LastDay);
        var rows = rest.From < rest.To ? windowRows + "\nUNION ALL\n" + PageWindowRowsSql(query, rest, site, tz, p, freshVisitors) : windowRows;
        return $"SELECT value AS d0, {SpanColumns.Replace("value, ", "", StringComparison.Ordinal)}{fresh} FROM ({rows})";
    }

    /// <summary>Whether <paramref name="window"/> holds the first days of <paramref name="range"/> for <paramref name="query"/>.</summary>
    private static bool PageWindowFits(StoredPageWindow window, StatsQuery query, DateRange range) =>
        PageWindowOf(query, range) == window.Key && window.First == DateOnly.FromDateTime(range.From) && window.End <= DateOnly.FromDateTime(range.To);

    /// <summary>
    /// The window rows of <paramref name="days"/>; with <paramref name="freshVisitors"/>, also fresh_visitors: the visitors of
    /// the visits that have a pageview the filter picks, at most the sum of the days' visitors of that page (the spans of
    /// <see cref="SpanSumPlan"/>): such a pageview is on one of the days, or after them for a visit that runs on past their
    /// end (as the period's total counts it).
    /// </summary>
    private string PageWindowRowsSql(StatsQuery query, DateRange days, string site, string tz, SqlParameters p, bool freshVisitors = false)
    {
        if (ReadsPageTotal(query))
        {
            return PageTotalRowsSql(query, days, site, p, freshVisitors);
        }
        var value = query.Dimensions.Count == 0 ? "''" : "toString(d0)";
        var from = p.AddInt64(Millis(days.From));
        var to = p.AddInt64(Millis(days.To));
        var fresh = freshVisitors
            ? $", {VisitorSketch.CountIf("visitor_id", $"sign > 0 AND visitor_id != {NoVisitor} AND pageviews > 0")} AS page_visitors"
            : "";
        // The sums are named apart from the visit rows' columns (an alias "pageviews" would stand for the sum inside the next one).
        return $"""
            SELECT value, visitors_exact, all_visits AS visits, all_pageviews AS pageviews, cookieless_pageviews AS anonymous_pageviews,
                   all_bounces AS bounces, all_durations AS visit_duration{(freshVisitors ? ", page_visitors AS fresh_visitors" : "")}
            FROM (
                SELECT {value} AS value, uniqCombined64StateIf(19)(visitor_id, sign > 0 AND visitor_id != {NoVisitor}) AS visitors_exact{fresh},
                       toInt64(sum(sign)) AS all_visits, toInt64(sum(sign * pageviews)) AS all_pageviews,
                       toInt64(sum(sign * pageviews * (visitor_id = {NoVisitor}))) AS cookieless_pageviews,
                       toInt64(sum(sign * is_bounce)) AS all_bounces, toInt64(sum(sign * duration)) AS all_durations
                FROM ({SessionsByHitsSql(query, site, from, to, tz, p)})
                GROUP BY value
            )
            """;
    }

    /// <summary>
    /// <see cref="PageWindowRowsSql"/>'s one row for a total whose filter tests hits alone and whose hits carry their
    /// visits, from one read of the page's hits: grouped by visit, all cookie-less hits in one group whose counts are
    /// the anonymous visits' sums (each such hit is a visit of its own, a bounce when it is a pageview), joined to the
    /// visits of the days. A visit that started before them joins none and counts nothing. The same sums as the
    /// visits picked by <see cref="SessionsByHitsSql"/>, with one read of hits less and fewer steps to plan: 39 ms
    /// against 62 ms for the two days after a window at 10 M hits (benchmarks/README.md, "Page windows").
    /// </summary>
    private string PageTotalRowsSql(StatsQuery query, DateRange days, string site, SqlParameters p, bool freshVisitors)
    {
        var from = $"fromUnixTimestamp64Milli({p.AddInt64(Millis(days.From))}, 'UTC')";
        var to = $"fromUnixTimestamp64Milli({p.AddInt64(Millis(days.To))}, 'UTC')";
        var hitParts = string.Join(" AND ", HitOnlyParts(query.Filter).Select(f => FilterSql(f, p)));
        // A cookie-less hit counts when it is within the days; a cookie hit also the day after, as a visit's last hits are.
        // Hits of visits that started before the days join no visit: their defaults (sign 0, no visitor) count nothing.
        const string Anonymous = $"visitor_id = {NoVisitor}";
        var cookie = $"v.sign > 0 AND v.visitor_id != {NoVisitor}";
        var fresh = freshVisitors ? $", {VisitorSketch.CountIf("v.visitor_id", $"{cookie} AND h.pageviews > 0")} AS fresh_visitors" : "";
        return $"""
            SELECT '' AS value, uniqCombined64StateIf(19)(v.visitor_id, {cookie}) AS visitors_exact,
                   toInt64(sum(v.sign)) + toInt64(sum(h.anonymous_hits)) AS visits,
                   toInt64(sum(v.sign * h.pageviews)) + toInt64(sum(h.anonymous_pageviews)) AS pageviews,
                   toInt64(sum(h.anonymous_pageviews)) AS anonymous_pageviews,
                   toInt64(sum(v.sign * v.is_bounce)) + toInt64(sum(h.anonymous_pageviews)) AS bounces,
                   toInt64(sum(v.sign * v.duration)) AS visit_duration{fresh}
            FROM (
                SELECT if({Anonymous}, {NoVisitor}, session_id) AS visit, countIf(kind = 1) AS pageviews,
                       countIf({Anonymous} AND timestamp < {to}) AS anonymous_hits, countIf({Anonymous} AND timestamp < {to} AND kind = 1) AS anonymous_pageviews
                FROM {database}.hits
                WHERE site_id = {site} AND timestamp >= {from} AND timestamp < {to} + INTERVAL 1 DAY AND NOT is_bot AND {hitParts}
                GROUP BY visit
            ) AS h
            LEFT JOIN (
                SELECT session_id, visitor_id, sign, duration, is_bounce FROM {database}.sessions
                WHERE site_id = {site} AND started_at >= {from} AND started_at < {to} AND NOT is_bot AND visitor_id != {NoVisitor}
            ) AS v ON v.session_id = h.visit
            """;
    }
}
