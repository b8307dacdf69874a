using System.Globalization;

namespace Analytics.Analysts.Query;

/// <summary>The planner's SQL for funnels and for the custom property names of a period.</summary>
public sealed partial class QueryPlanner
{
    /// <summary>
    /// Visitors by the furthest funnel step they reached (d0 = step number, m0 = visitors), exactly (no
    /// sketch), with ClickHouse's windowFunnel over each visitor's hits that meet a step (it ignores the
    /// others): within one visit (the visits table's spans: the hits of the visitor from the visit's start
    /// to its end, visits started in the period) or within <paramref name="windowMillis"/> of the first
    /// step. Anonymous hits cannot be followed from step to step and are left out. A filter picks the
    /// visitors with a hit of the period that meets it; their steps are read from all their hits.
    /// </summary>
    /// <param name="siteId">The site.</param>
    /// <param name="range">The period whose hits (or visits) are read.</param>
    /// <param name="steps">Each step's test on a hit, SQL built from hex literals only (Goal.MatchSql).</param>
    /// <param name="filter">Picks the visitors counted.</param>
    /// <param name="windowMillis">Within this long of the first step; null: within one visit.</param>
    public QueryPlan FunnelPlan(string siteId, DateRange range, IReadOnlyList<string> steps, Filter? filter, long? windowMillis)
    {
        var p = new SqlParameters();
        var site = p.AddString(siteId);
        var from = $"fromUnixTimestamp64Milli({p.AddInt64(Millis(range.From))}, 'UTC')";
        var to = $"fromUnixTimestamp64Milli({p.AddInt64(Millis(range.To))}, 'UTC')";
        var basis = $"site_id = {site} AND timestamp >= {from} AND timestamp < {to} AND NOT is_bot AND visitor_id != {NoVisitor}";
        filter = SourceChoice.Simplified(filter);
        var picked = filter is null ? "" : $" AND visitor_id IN (SELECT visitor_id FROM {database}.hits WHERE {basis} AND {FilterSql(filter, p)})";
        var anyStep = string.Join(" OR ", steps.Select(s => $"({s})"));
        var conditions = string.Join(", ", steps.Select(s => $"({s})"));
        string perGroup;
        if (windowMillis is { } window)
        {
            perGroup = $"""
                SELECT visitor_id, windowFunnel({window.ToString(CultureInfo.InvariantCulture)})(toUInt64(toUnixTimestamp64Milli(timestamp)), {conditions}) AS level
                FROM {database}.hits
                WHERE {basis} AND ({anyStep}){picked}
                GROUP BY visitor_id
                """;
        }
        else
        {
            // A visit that grew has several versions (sign +1) until merges fold them: its span is the widest.
            // Each hit belongs to its visitor's latest visit started at or before it (an ASOF join, no fan-out),
            // if it lies within that visit's span. Hits are read to a day past the period, as visits keep theirs.
            var visits = $"site_id = {site} AND started_at >= {from} AND started_at < {to} AND NOT is_bot AND sign > 0 AND visitor_id != {NoVisitor}";
            var hits = basis.Replace($"timestamp < {to}", $"timestamp < {to} + INTERVAL 1 DAY", StringComparison.Ordinal);
            var props = steps.Any(s => s.Contains("props[", StringComparison.Ordinal)) ? ", props" : "";
            perGroup = $"""
                SELECT h.visitor_id AS visitor_id, windowFunnel(31622400000)(h.t, {conditions}) AS level
                FROM (
                    SELECT visitor_id, timestamp, toUInt64(toUnixTimestamp64Milli(timestamp)) AS t, kind, path, event_name{props}
                    FROM {database}.hits WHERE {hits} AND ({anyStep}){picked}
                ) AS h
                ASOF INNER JOIN (
                    SELECT visitor_id, session_id, min(started_at) AS visit_start, max(ended_at) AS visit_end
                    FROM {database}.sessions WHERE {visits}{picked}
                    GROUP BY visitor_id, session_id
                ) AS v ON h.visitor_id = v.visitor_id AND h.timestamp >= v.visit_start
                WHERE h.timestamp <= v.visit_end
                GROUP BY h.visitor_id, v.session_id
                """;
        }
        var sql = $"""
            SELECT toString(level) AS d0, count() AS m0, count() OVER () AS total_rows
            FROM (SELECT visitor_id, max(level) AS level FROM ({perGroup}) GROUP BY visitor_id)
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
