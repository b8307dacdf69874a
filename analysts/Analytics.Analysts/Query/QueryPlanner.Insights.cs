using System.Globalization;
using Analytics.Pipeline.Schema;

namespace Analytics.Analysts.Query;

/// <summary>The planner's SQL for funnels and for the custom property names of a period.</summary>
public sealed partial class QueryPlanner
{
    /// <summary>
    /// Visitors by the furthest funnel step they reached (d0 = step number, m0 = visitors), exactly (no
    /// sketch), from each visitor's (or visit's) hits that meet a step, read through the hits_by_step
    /// projection (schema/0015): only the steps' own hits are read. ClickHouse's windowFunnel orders them,
    /// except within a visit on hits that carry it, where each step's earliest time is found directly.
    /// Within <paramref name="windowMillis"/> of the first step, or within one visit: by the visit each hit
    /// carries (<see cref="StampedVisitFunnelSql"/>) when <paramref name="hitsCarryVisits"/>, else by placing
    /// each step hit in its visit (<see cref="VisitFunnelSql"/>). Anonymous hits cannot be followed from
    /// step to step and are left out. A filter picks the visitors with a hit of the period that meets it;
    /// their steps are read from all their hits.
    /// </summary>
    /// <param name="siteId">The site.</param>
    /// <param name="range">The period whose hits (or visits) are read.</param>
    /// <param name="steps">Each step's test on a hit, SQL built from hex literals only (Goal.MatchSql).</param>
    /// <param name="filter">Picks the visitors counted.</param>
    /// <param name="windowMillis">Within this long of the first step; null: within one visit.</param>
    /// <param name="hitsCarryVisits">Every step hit the funnel reads carries its visit's session_id (<see cref="UnstampedStepHitsPlan"/> found none without).</param>
    public QueryPlan FunnelPlan(string siteId, DateRange range, IReadOnlyList<string> steps, Filter? filter, long? windowMillis, bool hitsCarryVisits = false)
    {
        var p = new SqlParameters();
        var site = p.AddString(siteId);
        var from = $"fromUnixTimestamp64Milli({p.AddInt64(Millis(range.From))}, 'UTC')";
        var to = $"fromUnixTimestamp64Milli({p.AddInt64(Millis(range.To))}, 'UTC')";
        var people = $"site_id = {site} AND NOT is_bot AND visitor_id != {NoVisitor}";
        var basis = $"{people} AND timestamp >= {from} AND timestamp < {to}";
        filter = SourceChoice.Simplified(filter);
        var picked = filter is null ? "" : $" AND visitor_id IN (SELECT visitor_id FROM {database}.hits WHERE {basis} AND {FilterSql(filter, p)})";
        var anyStep = string.Join(" OR ", steps.Select(s => $"({s})"));
        var conditions = string.Join(", ", steps.Select(s => $"({s})"));
        string perVisitor;
        if (windowMillis is { } window)
        {
            perVisitor = $"""
                SELECT visitor_id, windowFunnel({window.ToString(CultureInfo.InvariantCulture)})({HitMillis}, {conditions}) AS level
                FROM {database}.hits
                WHERE {basis} AND ({anyStep}){picked}
                GROUP BY visitor_id
                """;
        }
        else if (hitsCarryVisits)
        {
            return new QueryPlan(StampedVisitFunnelSql(people, from, to, $"({anyStep}){picked}", steps), p.Values, PlanSource.Hits);
        }
        else
        {
            var props = steps.Any(s => s.Contains("props[", StringComparison.Ordinal)) ? ", props" : "";
            var stepHits = $"SELECT visitor_id, timestamp, kind, path, event_name{props} FROM {database}.hits WHERE {people} AND timestamp >= {from} AND timestamp < {to} + INTERVAL 1 DAY AND ({anyStep}){picked}";
            perVisitor = VisitFunnelSql(stepHits, $"{people} AND sign > 0", from, to, conditions, props);
        }
        var sql = $"""
            SELECT toString(level) AS d0, count() AS m0, count() OVER () AS total_rows
            FROM ({perVisitor})
            WHERE level > 0
            GROUP BY d0
            ORDER BY d0
            SETTINGS max_execution_time = {Seconds()}
            """;
        return new QueryPlan(sql, p.Values, PlanSource.Hits);
    }

    /// <summary>
    /// The furthest step per visitor within one visit: the visits that started in the period, each with
    /// its hits (read up to a day past the period, as a visit keeps its hits). Reading every visit of the
    /// period to place each step hit in its visit took seconds at 10 M hits, so it is done in three cheap parts:
    /// 1. The step hits that belong to visits started in the period (q): a hit before the period's end
    ///    does unless it lies in a visit that started before the period (x: the visits crossing its start);
    ///    a hit after the end does only if it lies in a visit crossing the end (y). Those crossing visits
    ///    are few and read by the ended_at index (schema/0015).
    /// 2. A visitor whose step hits in any order of time reach at most step 1 is at that step within a visit too.
    /// 3. Only the others (candidates that reach step 2 over their whole period) have their step hits
    ///    placed in visits: each hit in the visitor's latest visit started at or before it (an ASOF join;
    ///    a visitor's visits never overlap, so that is the visit holding it).
    /// </summary>
    private string VisitFunnelSql(string stepHits, string visits, string from, string to, string conditions, string props)
    {
        var hits = $"""
            SELECT h.visitor_id AS visitor_id, h.timestamp AS timestamp, h.kind AS kind, h.path AS path, h.event_name AS event_name{(props.Length == 0 ? "" : ", h.props AS props")}
            FROM ({stepHits}) AS h
            LEFT ANY JOIN (
                SELECT visitor_id, max(ended_at) AS x_end FROM {database}.sessions
                WHERE {visits} AND started_at < {from} AND ended_at >= {from} GROUP BY visitor_id
            ) AS x ON h.visitor_id = x.visitor_id
            LEFT ANY JOIN (
                SELECT visitor_id, min(started_at) AS y_start, max(ended_at) AS y_end FROM {database}.sessions
                WHERE {visits} AND started_at >= {from} AND started_at < {to} AND ended_at >= {to} GROUP BY visitor_id
            ) AS y ON h.visitor_id = y.visitor_id
            WHERE (h.timestamp < {to} AND (x.visitor_id = {NoVisitor} OR h.timestamp > x.x_end))
               OR (h.timestamp >= {to} AND y.visitor_id != {NoVisitor} AND h.timestamp >= y.y_start AND h.timestamp <= y.y_end)
            """;
        return $"""
            SELECT visitor_id, max(level) AS level
            FROM (
                SELECT q.visitor_id AS visitor_id, windowFunnel({AnyWindow})({HitMillis}, {conditions}) AS level
                FROM ({hits}) AS q
                ASOF LEFT JOIN (
                    SELECT visitor_id, session_id, started_at FROM {database}.sessions
                    WHERE {visits} AND started_at >= {from} AND started_at < {to}
                      AND visitor_id IN (SELECT visitor_id FROM ({hits}) GROUP BY visitor_id HAVING windowFunnel({AnyWindow})({HitMillis}, {conditions}) >= 2)
                ) AS v ON q.visitor_id = v.visitor_id AND q.timestamp >= v.started_at
                GROUP BY q.visitor_id, v.session_id
            )
            GROUP BY visitor_id
            """;
    }

    /// <summary>
    /// Visitors by the furthest step they reached within one visit (d0 = step, m0 = visitors), from the
    /// session_id each hit carries (schema/0018): the steps' hits grouped by visit, read through
    /// hits_by_step, with no join. The visit must have started in the period, as in
    /// <see cref="VisitFunnelSql"/>: a hit before the period's end counts unless its visit started before
    /// the period (x), a hit after the end (read up to a day past it) only if its visit started in the
    /// period and crosses the end (y). Both sets are the few visits crossing one instant, read by the
    /// ended_at index (schema/0015). A visit's rows in sessions only ever start earlier and end later as it
    /// grows, so any of its +1 rows crossing the instant says its last state does, and the earliest
    /// started_at among its rows crossing the end is its start.
    /// Per visit, each step's time is the earliest hit meeting it at or after the previous step's time:
    /// windowFunnel's answer with an unbounded window (its events sorted by time, then step, so one hit
    /// may meet two steps). The first step needs only minIf, the last only maxIf, a middle step the array
    /// of its times, where windowFunnel keeps and sorts every step hit's (time, step) pair per visit: half
    /// its time at 10 M hits (benchmarks/README.md).
    /// A visitor has reached step j when any of their visits has, so each step's visitors are one
    /// uniqExactIf over the visits, and the visitors at exactly step j are those at j less those at j + 1.
    /// Grouped by session_id alone (a visit's ID is its first hit's, so one visitor's); the visitor is
    /// carried as its UInt128 (the same 16 bytes): any() of a UUID takes ClickHouse's generic value path.
    /// </summary>
    private string StampedVisitFunnelSql(string people, string from, string to, string stepsAndPicked, IReadOnlyList<string> steps)
    {
        var visits = $"{people} AND sign > 0";
        var last = steps.Count;
        // at1..at{last-1}: when the visit reached each step (0: not reached); a step's times as an array only where a later step needs them.
        var perStep = new List<string> { $"minIf({HitMillis}, ({steps[0]})) AS at1" };
        for (var j = 2; j < last; j++)
        {
            perStep.Add($"groupArrayIf({HitMillis}, ({steps[j - 1]})) AS times{j}");
            perStep.Add($"if(at{j - 1} = 0, 0, arrayMin(arrayFilter(t -> t >= at{j - 1}, times{j}))) AS at{j}");
        }
        perStep.Add($"maxIf({HitMillis}, ({steps[last - 1]})) AS last_at");
        var reached = Enumerable.Range(1, last - 1).Select(j => $"uniqExactIf(visitor, at{j} > 0)")
            .Append($"uniqExactIf(visitor, at{last - 1} > 0 AND last_at >= at{last - 1})");
        return $"""
            SELECT toString(level) AS d0, reached[level] - if(level < length(reached), reached[level + 1], 0) AS m0, count() OVER () AS total_rows
            FROM (
                SELECT [{string.Join(", ", reached)}] AS reached
                FROM (
                    SELECT any(reinterpretAsUInt128(visitor_id)) AS visitor, {string.Join(", ", perStep)}
                    FROM {database}.hits
                    WHERE {people} AND timestamp >= {from} AND timestamp < {to} + INTERVAL 1 DAY AND {stepsAndPicked}
                      AND ((timestamp < {to} AND session_id NOT IN (
                              SELECT session_id FROM {database}.sessions WHERE {visits} AND started_at < {from} AND ended_at >= {from}))
                        OR (timestamp >= {to} AND session_id IN (
                              SELECT session_id FROM {database}.sessions WHERE {visits} AND started_at < {to} AND ended_at >= {to}
                              GROUP BY session_id HAVING min(started_at) >= {from})))
                    GROUP BY session_id
                )
            )
            ARRAY JOIN arrayEnumerate(reached) AS level
            WHERE m0 > 0
            ORDER BY d0
            SETTINGS max_execution_time = {Seconds()}
            """;
    }

    /// <summary>
    /// m0 = 1 when a human cookie hit of the period (or the day after, which a funnel within a visit reads)
    /// that meets a step has no session_id: stored before schema/0018, or by an aggregator older than it.
    /// </summary>
    public QueryPlan UnstampedStepHitsPlan(string siteId, DateRange range, IReadOnlyList<string> steps) =>
        UnstampedHitsPlan(new SqlParameters(), siteId, range, string.Join(" OR ", steps.Select(s => $"({s})")));

    /// <summary>
    /// m0 = 1 when a human cookie hit of the period (or the day after, which visits started in it keep)
    /// that meets <paramref name="condition"/> has no session_id: stored before schema/0018, or by an
    /// aggregator older than it. The minmax index on session_id skips every granule of stamped hits, so
    /// on stamped data this reads indexes only; on older data it stops at the first such hit.
    /// </summary>
    private QueryPlan UnstampedHitsPlan(SqlParameters p, string siteId, DateRange range, string condition)
    {
        var from = $"fromUnixTimestamp64Milli({p.AddInt64(Millis(range.From))}, 'UTC')";
        var to = $"fromUnixTimestamp64Milli({p.AddInt64(Millis(range.To))}, 'UTC')";
        // Not through hits_by_step: a projection has no skip index, and would read every matching hit's session_id.
        var sql = $"""
            SELECT count() AS m0, 1 AS total_rows
            FROM (
                SELECT 1 FROM {database}.hits
                WHERE site_id = {p.AddString(siteId)} AND session_id = {NoVisitor} AND NOT is_bot AND visitor_id != {NoVisitor}
                  AND timestamp >= {from} AND timestamp < {to} + INTERVAL 1 DAY AND ({condition})
                LIMIT 1
            )
            SETTINGS optimize_use_projections = 0, max_execution_time = {Seconds()}
            """;
        return new QueryPlan(sql, p.Values, PlanSource.Hits);
    }

    /// <summary>A hit's time in milliseconds, the funnels' clock (never 0, which stands for "not reached").</summary>
    private const string HitMillis = "toUInt64(toUnixTimestamp64Milli(timestamp))";

    /// <summary>A window longer than any period a funnel reads (a year), for steps in order at any distance.</summary>
    private const string AnyWindow = "31622400000";

    /// <summary>
    /// The visitors who met a goal over whole UTC days (m0), from the visitor states of the rollup rows that
    /// match it (<paramref name="condition"/> on the rollup's key columns): a union of the states, so a
    /// visitor who met the goal on several pages or days counts once, as on raw hits. As there, a count above
    /// the exact range is lowered to the sum of its parts' counts when that is smaller. A page goal reads the
    /// pages' visitor spans (as the pages panel does): a pattern goal's 500 pages over 30 days are about 3,000
    /// states there instead of 15,000 daily ones (goals at 10 M hits, benchmarks/README.md). Each span's
    /// visitors are at most the sum of its days', so the lowered count never exceeds the sum of the days.
    /// </summary>
    public QueryPlan GoalVisitorsPlan(string siteId, DateRange range, string table, string condition)
    {
        var p = new SqlParameters();
        var spans = table == "rollup_paths_daily";
        var where = spans
            ? $"site_id = {p.AddString(siteId)} AND attribute = 'page' AND {VisitorSpans.CoverSql(range)} AND {condition}"
            : $"site_id = {p.AddString(siteId)} AND day >= toDate(fromUnixTimestamp64Milli({p.AddInt64(Millis(range.From))}, 'UTC'))"
                + $" AND day < toDate(fromUnixTimestamp64Milli({p.AddInt64(Millis(range.To))}, 'UTC')) AND {condition}";
        // The period and each of its parts (days, or spans: each starts on a day of its own) in one read
        // (GROUPING SETS): the states are read and deserialized once instead of twice. least() of the two
        // sums does not depend on which grouping row is which.
        var sql = $"""
            {(spans ? "WITH value AS path\n" : "")}SELECT least(sumIf(v, per_day = 0), sumIf(v, per_day = 1)) AS m0, 1 AS total_rows
            FROM (
                SELECT grouping(day) AS per_day, {(spans ? VisitorSketch.MergeOf(VisitorSketch.Column) : VisitorSketch.Merge)} AS v
                FROM {database}.{(spans ? VisitorSpans.Table : table)}
                WHERE {where}
                GROUP BY GROUPING SETS ((), (day))
            )
            SETTINGS max_execution_time = {Seconds()}
            """;
        return new QueryPlan(sql, p.Values, spans ? PlanSource.VisitorSpans : PlanSource.EventsDailyRollup);
    }

    /// <summary>
    /// The custom property names on the period's hits, most used first. A shared link's locked
    /// <paramref name="filter"/> narrows the hits counted, and its <paramref name="minVisitors"/> hides a
    /// name carried by fewer visitors, as every other answer it gets does.
    /// </summary>
    public QueryPlan PropertyNamesPlan(string siteId, DateRange range, int limit, Filter? filter = null, int? minVisitors = null)
    {
        var p = new SqlParameters();
        var narrowed = filter is null ? "" : $" AND {FilterSql(filter, p)}";
        var shown = minVisitors is { } k ? $"\n            HAVING uniqExact(visitor_id) >= {p.AddInt64(k)}" : "";
        var sql = $"""
            SELECT name AS d0, count() AS m0, count() OVER () AS total_rows
            FROM (SELECT arrayJoin(mapKeys(props)) AS name, visitor_id FROM {database}.hits WHERE {Basis(siteId, range, p)}{narrowed})
            GROUP BY d0{shown}
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
