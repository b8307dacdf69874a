namespace Analytics.Analysts.Query;

/// <summary>The planner's SQL for visits that are not read as stored: rebuilt from raw hits, or picked by their hits.</summary>
public sealed partial class QueryPlanner
{
    /// <summary>
    /// One row per visit and dimension value: the hits of the period grouped into visits (a new visit
    /// after 30 minutes without a hit), each hit row carrying its visit's values, then filtered (a visit
    /// counts when any of its hits matches) and grouped per visit.
    /// </summary>
    private string VisitRowsSql(StatsQuery query, string where, string filter, string timeColumn, string tz)
    {
        var hitColumns = new[] { "timestamp", "hit_id", "visitor_id", "kind", "path", "event_name", "link_campaign", "props" };
        var raw = string.Join(", ", hitColumns.Concat(VisitColumns.Select(c => $"{c} AS hit_{c}")));
        // Hits at the same instant are taken in hit ID order, as the aggregator's session tracker takes them
        // (.NET orders a Guid as its text reads; UUIDToNum gives those bytes, where a UUID compares its halves the other way round).
        var visitValues = string.Join(", ", VisitColumns.Select(c => $"argMin(hit_{c}, (timestamp, UUIDToNum(hit_id))) OVER visit AS {c}"));
        var groupDims = query.Dimensions.Select(d => DimensionSql(d, timeColumn, tz));
        return $"""
            SELECT {string.Join("", groupDims.Select((d, i) => $"{d} AS d{i}, "))}visitor_key, any(visitor_id = {NoVisitor}) AS anonymous,
                   any(toUInt32(dateDiff('second', started_at, ended_at))) AS duration, any(visit_pageviews = 1 AND visit_events = 0) AS is_bounce,
                   countIf(kind = 1) AS pageviews, countIf(kind = 2) AS events, countIf(kind = 3) AS link_clicks
            FROM (
                SELECT *, min(timestamp) OVER visit AS started_at, max(timestamp) OVER visit AS ended_at,
                       countIf(kind = 1) OVER visit AS visit_pageviews, countIf(kind = 2) OVER visit AS visit_events,
                       argMin(path, (timestamp, UUIDToNum(hit_id))) OVER visit AS entry_page,
                       argMax(path, (timestamp, UUIDToNum(hit_id))) OVER visit AS exit_page,
                       {visitValues}
                FROM (
                    SELECT *, sum(is_start) OVER (PARTITION BY visitor_key ORDER BY timestamp, hit_id ROWS UNBOUNDED PRECEDING) AS visit_number
                    FROM (
                        SELECT {raw}, {VisitorKey} AS visitor_key,
                               toUInt8(dateDiff('second', lagInFrame(timestamp) OVER (PARTITION BY visitor_key ORDER BY timestamp, hit_id ROWS BETWEEN 1 PRECEDING AND CURRENT ROW), timestamp) >= 1800) AS is_start
                        FROM {database}.hits
                        WHERE {where}
                    )
                )
                WINDOW visit AS (PARTITION BY visitor_key, visit_number)
            )
            WHERE {filter}
            GROUP BY {string.Join("", query.Dimensions.Select((_, i) => $"d{i}, "))}visitor_key, visit_number
            """;
    }

    /// <summary>
    /// Rows of the visits table (signed, as stored) for a filter whose hit-level part (a page, an event
    /// name) a visit meets through one of its hits: the visits of the hits that meet that part. Each row
    /// carries its visit's matching hits as its pageviews, events and clicks, so signed sums count them as
    /// on raw hits (a visit that grew is a -1/+1 pair of its old state, the same counts, cancelling, and a
    /// +1 row of its last). No hit ID is read, so the page's hits come from the hits_by_step projection
    /// (ordered by kind, event and page) instead of a scan of the period's paths. An anonymous visit is
    /// its one hit (session_id = hit_id), picked by that ID. Metrics are the visits table's signed sums,
    /// so no FINAL is needed. Hits that carry their visit (<see cref="StatsQuery.HitsCarryVisits"/>) are
    /// joined to it by session_id; older ones are placed by time (<see cref="SpansByHitsSql"/>).
    /// </summary>
    private string SessionsByHitsSql(StatsQuery query, string site, string from, string to, string tz, SqlParameters p)
    {
        var parts = query.Filter switch { AllOf all => all.Filters, null => [], _ => [query.Filter] };
        var hitParts = string.Join(" AND ", parts.Where(IsHitOnly).Select(f => FilterSql(f, p)));
        var visitParts = string.Concat(parts.Where(f => !IsHitOnly(f)).Select(f => " AND " + FilterSql(f, p)));
        var fromTime = $"fromUnixTimestamp64Milli({from}, 'UTC')";
        var toTime = $"fromUnixTimestamp64Milli({to}, 'UTC')";
        var visits = $"site_id = {site} AND started_at >= {fromTime} AND started_at < {toTime} AND NOT is_bot{visitParts}";
        var hits = $"site_id = {site} AND timestamp >= {fromTime} AND timestamp < {toTime} + INTERVAL 1 DAY AND NOT is_bot AND {hitParts}";
        var dimensions = query.Dimensions.Select((d, i) => $"{DimensionSql(d, "started_at", tz)} AS d{i}").ToList();
        var columns = string.Join(", ", dimensions.Append("visitor_id").Append("sign").Append("duration").Append("is_bounce"));
        var outputs = string.Concat(query.Dimensions.Select((_, i) => $"d{i}, "));
        var cookieVisits = query.HitsCarryVisits ? ByVisitSql(query, visits, hits, columns) : SpansByHitsSql(query, visits, hits, columns);
        var visitColumns = query.Dimensions.Where(d => d.Column is not null).Select(d => d.Column!.Column)
            .Concat(parts.Where(f => !IsHitOnly(f)).SelectMany(f => f.Conditions()).Select(c => c.Dimension.Column));
        var anonymousVisits = visitColumns.All(VisitColumns.Contains)
            ? AnonymousVisitsSql(query, $"{hits} AND timestamp < {toTime}{visitParts}", tz)
            : $"""
                SELECT {columns}, pageviews, events, link_clicks
                FROM {database}.sessions
                WHERE {visits} AND visitor_id = {NoVisitor}
                  AND session_id IN (SELECT hit_id FROM {database}.hits WHERE {hits} AND visitor_id = {NoVisitor} AND timestamp < {toTime})
                """;
        return $"""
            SELECT {outputs}visitor_id, sign, duration, is_bounce, pageviews, events, link_clicks
            FROM ({cookieVisits})
            UNION ALL
            {anonymousVisits}
            """;
    }

    /// <summary>
    /// Anonymous visits made from their hits alone: nothing links two hits without a cookie, so each such hit is
    /// a visit of its own (session_id = hit_id), started at the hit, lasting 0 s, a bounce when it is a pageview,
    /// with the hit's own values as the visit's. The same rows as the visits table holds for them, without reading
    /// it (a sixth of the page-filtered top line's time at 10 M hits, benchmarks/README.md). Only for dimensions
    /// and visit-level filters on columns hits carry (<see cref="VisitColumns"/>; not entry or exit page).
    /// </summary>
    private string AnonymousVisitsSql(StatsQuery query, string hits, string tz)
    {
        var dimensions = string.Concat(query.Dimensions.Select((d, i) => $"{DimensionSql(d, "timestamp", tz)} AS d{i}, "));
        return $"""
            SELECT {dimensions}visitor_id, toInt8(1) AS sign, toUInt32(0) AS duration, toBool(kind = 1) AS is_bounce,
                   toUInt32(kind = 1) AS pageviews, toUInt32(kind = 2) AS events, toUInt32(kind = 3) AS link_clicks
            FROM {database}.hits
            WHERE {hits} AND visitor_id = {NoVisitor}
            """;
    }

    /// <summary>
    /// Cookie visits joined to their matching hits by the session_id the hits carry, each hit in its own visit:
    /// the SQL alone about twice as fast as <see cref="SpansByHitsSql"/> at 10 M hits (benchmarks/README.md),
    /// no faster at 50 M (benchmarks/RESULTS.md): both read every visit row of the period.
    /// </summary>
    private string ByVisitSql(StatsQuery query, string visits, string hits, string columns) => $"""
        SELECT {string.Concat(query.Dimensions.Select((_, i) => $"v.d{i} AS d{i}, "))}v.visitor_id AS visitor_id, v.sign AS sign, v.duration AS duration, v.is_bounce AS is_bounce,
               h.pageviews AS pageviews, h.events AS events, h.link_clicks AS link_clicks
        FROM (SELECT session_id, {columns} FROM {database}.sessions WHERE {visits} AND visitor_id != {NoVisitor}) AS v
        INNER JOIN (
            SELECT session_id, countIf(kind = 1) AS pageviews, countIf(kind = 2) AS events, countIf(kind = 3) AS link_clicks
            FROM {database}.hits WHERE {hits} AND visitor_id != {NoVisitor}
            GROUP BY session_id
        ) AS h ON v.session_id = h.session_id
        """;

    /// <summary>
    /// Cookie visits for hits that may not carry their visit: the hits that meet the filter are gathered
    /// per visitor (their times and kinds), joined to the visitor's visit rows, and a row is kept when one
    /// of those hits falls within its span (started_at to ended_at), counting the hits within it. A span
    /// only grows, so a visit that matched once keeps matching.
    /// </summary>
    private string SpansByHitsSql(StatsQuery query, string visits, string hits, string columns)
    {
        const string InSpan = "t >= v.started_at AND t <= v.ended_at";
        return $"""
            SELECT {string.Concat(query.Dimensions.Select((_, i) => $"v.d{i} AS d{i}, "))}v.visitor_id AS visitor_id, v.sign AS sign, v.duration AS duration, v.is_bounce AS is_bounce,
                   arrayCount((t, k) -> k = 1 AND {InSpan}, h.times, h.kinds) AS pageviews,
                   arrayCount((t, k) -> k = 2 AND {InSpan}, h.times, h.kinds) AS events,
                   arrayCount((t, k) -> k = 3 AND {InSpan}, h.times, h.kinds) AS link_clicks,
                   arrayExists(t -> {InSpan}, h.times) AS matched
            FROM (SELECT {columns}, started_at, ended_at FROM {database}.sessions WHERE {visits} AND visitor_id != {NoVisitor}) AS v
            INNER JOIN (
                SELECT visitor_id, groupArray(timestamp) AS times, groupArray(kind) AS kinds
                FROM {database}.hits WHERE {hits} AND visitor_id != {NoVisitor}
                GROUP BY visitor_id
            ) AS h ON v.visitor_id = h.visitor_id
            WHERE matched
            """;
    }

    /// <summary>
    /// For a query that picks visits by their hits (<see cref="PlanSource.SessionsByHits"/>): m0 = 1 when a
    /// hit the filter's hit-level part picks in <paramref name="range"/> has no session_id, so the visits of
    /// that period must be found by time (<see cref="UnstampedHitsPlan"/>). Null for any other query.
    /// </summary>
    public QueryPlan? UnstampedFilterHitsPlan(StatsQuery query, DateRange range, PlanMode mode = PlanMode.Best)
    {
        var simple = query with { Filter = SourceChoice.Simplified(query.Filter) };
        if (SourceFor(simple, range, mode) != PlanSource.SessionsByHits)
        {
            return null;
        }
        var p = new SqlParameters();
        return UnstampedHitsPlan(p, query.SiteId, range, string.Join(" AND ", HitOnlyParts(simple.Filter).Select(f => FilterSql(f, p))));
    }

    private static bool IsHitOnly(Filter filter) => filter.Conditions().Any() && filter.Conditions().All(c => c.Dimension.Level == DimensionLevel.Hit);

    /// <summary>The parts of a top-level "and" that test only hit-level dimensions (page, event name, link campaign).</summary>
    private static List<Filter> HitOnlyParts(Filter? filter) =>
        (filter switch { AllOf all => all.Filters, null => [], _ => [filter] })
            .Where(IsHitOnly)
            .ToList();
}
