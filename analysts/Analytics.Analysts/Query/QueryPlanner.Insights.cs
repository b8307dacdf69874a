using System.Globalization;

namespace Analytics.Analysts.Query;

/// <summary>The planner's SQL for funnels and for the custom property names of a period.</summary>
public sealed partial class QueryPlanner
{
    /// <summary>
    /// Visitors by the furthest funnel step they reached (d0 = step number, m0 = visitors), exactly (no
    /// sketch), with ClickHouse's windowFunnel over each visitor's hits: within one visit (visits rebuilt
    /// from the period's hits with the 30-minute rule) or within <paramref name="windowMillis"/> of the
    /// first step. Anonymous hits cannot be followed from step to step and are left out. A filter picks the
    /// visitors with a hit of the period that meets it; their steps are read from all their hits.
    /// </summary>
    /// <param name="siteId">The site.</param>
    /// <param name="range">The period whose hits are read.</param>
    /// <param name="steps">Each step's test on a hit, SQL built from hex literals only (Goal.MatchSql).</param>
    /// <param name="filter">Picks the visitors counted.</param>
    /// <param name="windowMillis">Within this long of the first step; null: within one visit.</param>
    public QueryPlan FunnelPlan(string siteId, DateRange range, IReadOnlyList<string> steps, Filter? filter, long? windowMillis)
    {
        var perVisit = windowMillis is null;
        var p = new SqlParameters();
        var basis = Basis(siteId, range, p) + $" AND visitor_id != {NoVisitor}";
        filter = SourceChoice.Simplified(filter);
        var picked = filter is null ? "" : $" AND visitor_id IN (SELECT visitor_id FROM {database}.hits WHERE {basis} AND {FilterSql(filter, p)})";
        // windowFunnel ignores hits that meet no step, so only those are read; within a visit every hit of a
        // visitor who met the first step is read (any hit can keep a visit going), and no one else's.
        picked += perVisit
            ? $" AND visitor_id IN (SELECT visitor_id FROM {database}.hits WHERE {basis} AND ({steps[0]}))"
            : $" AND ({string.Join(" OR ", steps.Select(s => $"({s})"))})";
        // Within a visit the window is the visit itself: any length fits (a year is beyond any 30-minute-gap chain in the range).
        var window = (windowMillis ?? 366L * 24 * 3600 * 1000).ToString(CultureInfo.InvariantCulture);
        var visit = perVisit
            ? "sum(is_start) OVER (PARTITION BY visitor_id ORDER BY timestamp, hit_id ROWS UNBOUNDED PRECEDING)"
            : "0";
        var starts = perVisit
            ? ", toUInt8(dateDiff('second', lagInFrame(timestamp) OVER (PARTITION BY visitor_id ORDER BY timestamp, hit_id ROWS BETWEEN 1 PRECEDING AND CURRENT ROW), timestamp) >= 1800) AS is_start"
            : "";
        var sql = $"""
            SELECT toString(level) AS d0, count() AS m0, count() OVER () AS total_rows
            FROM (
                SELECT visitor_id, max(level) AS level
                FROM (
                    SELECT visitor_id, windowFunnel({window})(t, {string.Join(", ", steps.Select(s => $"({s})"))}) AS level
                    FROM (
                        SELECT visitor_id, toUInt64(toUnixTimestamp64Milli(timestamp)) AS t, kind, path, event_name, props, {visit} AS visit_number
                        FROM (
                            SELECT visitor_id, hit_id, timestamp, kind, path, event_name, props{starts}
                            FROM {database}.hits
                            WHERE {basis}{picked}
                        )
                    )
                    GROUP BY visitor_id, visit_number
                )
                GROUP BY visitor_id
            )
            WHERE level > 0
            GROUP BY d0
            ORDER BY d0
            SETTINGS max_execution_time = {Seconds()}
            """;
        return new QueryPlan(sql, p.Values, PlanSource.Hits);
    }

    /// <summary>The custom property names of the period's human hits, most used first (d0 = name, m0 = hits).</summary>
    public QueryPlan PropertyNamesPlan(string siteId, DateRange range, int limit)
    {
        var p = new SqlParameters();
        var sql = $"""
            SELECT name AS d0, count() AS m0, count() OVER () AS total_rows
            FROM (SELECT arrayJoin(mapKeys(props)) AS name FROM {database}.hits WHERE {Basis(siteId, range, p)})
            GROUP BY d0
            ORDER BY m0 DESC, d0 ASC
            LIMIT {p.AddInt64(limit)}
            SETTINGS max_execution_time = {Seconds()}
            """;
        return new QueryPlan(sql, p.Values, PlanSource.Hits);
    }

    private static string Basis(string siteId, DateRange range, SqlParameters p) =>
        $"site_id = {p.AddString(siteId)} AND timestamp >= fromUnixTimestamp64Milli({p.AddInt64(Millis(range.From))}, 'UTC')"
        + $" AND timestamp < fromUnixTimestamp64Milli({p.AddInt64(Millis(range.To))}, 'UTC') AND NOT is_bot";

    private string Seconds() => Math.Max(1, (int)Math.Ceiling(timeout.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
}
