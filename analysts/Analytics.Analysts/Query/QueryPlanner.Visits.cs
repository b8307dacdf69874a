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
    /// name) a visit meets through one of its hits: the hits that meet that part are matched to the visit
    /// whose span holds them (same visitor, started_at to ended_at of any of its versions), and the visit's
    /// pageviews, events and clicks are those matching hits, as on raw hits. An anonymous visit is its one
    /// hit (session_id = hit_id). Metrics are the visits table's signed sums, so no FINAL is needed.
    /// </summary>
    private string SessionsByHitsSql(StatsQuery query, string site, string from, string to, string tz, SqlParameters p)
    {
        var parts = query.Filter switch { AllOf all => all.Filters, null => [], _ => [query.Filter] };
        var hitParts = string.Join(" AND ", parts.Where(IsHitOnly).Select(f => FilterSql(f, p)));
        var visitParts = parts.Where(f => !IsHitOnly(f)).Select(f => FilterSql(f, p)).ToList();
        var fromTime = $"fromUnixTimestamp64Milli({from}, 'UTC')";
        var toTime = $"fromUnixTimestamp64Milli({to}, 'UTC')";
        var visits = $"site_id = {site} AND started_at >= {fromTime} AND started_at < {toTime} AND NOT is_bot";
        var hits = $"site_id = {site} AND timestamp >= {fromTime} AND timestamp < {toTime} + INTERVAL 1 DAY AND NOT is_bot AND {hitParts}";
        var dims = string.Join("", query.Dimensions.Select((d, i) => $"{DimensionSql(d, "v.started_at", tz)} AS d{i}, "));
        // A hit can fall in the span of several versions of one visit: it is counted once by its ID.
        return $"""
            SELECT {dims}v.visitor_id AS visitor_id, v.session_id AS session_id, v.sign AS sign, v.duration AS duration, v.is_bounce AS is_bounce,
                   m.pageviews AS pageviews, m.events AS events, m.link_clicks AS link_clicks
            FROM (SELECT * FROM {database}.sessions WHERE {visits}{string.Concat(visitParts.Select(v => " AND " + v))}) AS v
            INNER JOIN (
                SELECT s.session_id AS session_id, uniqExactIf(h.hit_id, h.kind = 1) AS pageviews, uniqExactIf(h.hit_id, h.kind = 2) AS events,
                       uniqExactIf(h.hit_id, h.kind = 3) AS link_clicks
                FROM (SELECT visitor_id, session_id, started_at, ended_at FROM {database}.sessions WHERE {visits} AND visitor_id != {NoVisitor}) AS s
                INNER JOIN (SELECT visitor_id, hit_id, timestamp, kind FROM {database}.hits WHERE {hits} AND visitor_id != {NoVisitor}) AS h ON s.visitor_id = h.visitor_id
                WHERE h.timestamp >= s.started_at AND h.timestamp <= s.ended_at
                GROUP BY s.session_id
                UNION ALL
                SELECT hit_id, countIf(kind = 1), countIf(kind = 2), countIf(kind = 3)
                FROM {database}.hits WHERE {hits} AND visitor_id = {NoVisitor} AND timestamp < {toTime}
                GROUP BY hit_id
            ) AS m ON v.session_id = m.session_id
            """;
    }

    private static bool IsHitOnly(Filter filter) => filter.Conditions().Any() && filter.Conditions().All(c => c.Dimension.Level == DimensionLevel.Hit);

    /// <summary>The parts of a top-level "and" that test only hit-level dimensions (page, event name, link campaign).</summary>
    private static List<Filter> HitOnlyParts(Filter? filter) =>
        (filter switch { AllOf all => all.Filters, null => [], _ => [filter] })
            .Where(IsHitOnly)
            .ToList();
}
