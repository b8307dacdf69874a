using System.Globalization;
using System.Text;

namespace Analytics.Analysts.Query;

/// <summary>
/// Builds the SQL for a <see cref="StatsQuery"/>. Metric and dimension names map to fixed SQL from the
/// allow-lists; every caller value is a bound parameter. The planner picks the cheapest data that can
/// answer: raw hits for hit metrics, visits for visit metrics and visit-level dimensions.
/// Output columns: d0..dN (dimension values as text), m0..mK (metrics), total_rows.
/// </summary>
public sealed class QueryPlanner(string database, TimeSpan timeout)
{
    private const string NoVisitor = "toUUID('00000000-0000-0000-0000-000000000000')";

    /// <summary>Columns whose visit value is the value of the visit's first hit.</summary>
    private static readonly string[] VisitColumns =
        ["referrer", "source", "channel", "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content"];

    /// <summary>The source the planner would use for <paramref name="query"/>.</summary>
    public static PlanSource SourceFor(StatsQuery query) =>
        query.Metrics.Any(m => m.IsVisitMetric)
        || query.Dimensions.Any(d => d.Column?.Level == DimensionLevel.Visit)
        || (query.Filter?.Conditions().Any(c => c.Dimension.Level == DimensionLevel.Visit) ?? false)
            ? PlanSource.VisitsFromHits
            : PlanSource.Hits;

    /// <param name="query">The validated query.</param>
    /// <param name="range">The period to read (the query's own, or its comparison period).</param>
    /// <param name="minVisitors">When set, rows with fewer visitors are left out (shared dashboards).</param>
    /// <param name="unlimited">Read every row up to the row limit (comparison periods are matched in memory).</param>
    public QueryPlan Plan(StatsQuery query, DateRange range, int? minVisitors = null, int? unlimited = null)
    {
        var p = new SqlParameters();
        var source = SourceFor(query);
        var sql = new StringBuilder("SELECT ");
        var tz = p.AddString(query.TimeZone.Id);
        var timeColumn = source == PlanSource.Hits ? "timestamp" : "started_at";
        var outputs = new List<string>();
        for (var i = 0; i < query.Dimensions.Count; i++)
        {
            outputs.Add(source == PlanSource.Hits ? $"{DimensionSql(query.Dimensions[i], timeColumn, tz)} AS d{i}" : $"d{i}");
        }
        var bots = query.Metrics.Contains(Metric.BotHits);
        for (var i = 0; i < query.Metrics.Count; i++)
        {
            outputs.Add($"{(source == PlanSource.Hits ? HitMetricSql(query.Metrics[i], bots) : VisitMetricSql(query.Metrics[i]))} AS m{i}");
        }
        outputs.Add("count() OVER () AS total_rows");
        sql.AppendJoin(", ", outputs).Append('\n');

        var where = new StringBuilder()
            .Append("site_id = ").Append(p.AddString(query.SiteId))
            .Append(" AND timestamp >= fromUnixTimestamp64Milli(").Append(p.AddInt64(Millis(range.From))).Append(", 'UTC')")
            .Append(" AND timestamp < fromUnixTimestamp64Milli(").Append(p.AddInt64(Millis(range.To))).Append(", 'UTC')");
        if (!bots)
        {
            where.Append(" AND NOT is_bot");
        }
        var filter = query.Filter is null ? null : FilterSql(query.Filter, p);

        if (source == PlanSource.Hits)
        {
            sql.Append("FROM ").Append(database).Append(".hits\nWHERE ").Append(where);
            if (filter is not null)
            {
                sql.Append(" AND ").Append(filter);
            }
        }
        else
        {
            sql.Append("FROM (").Append(VisitRowsSql(query, where.ToString(), filter, timeColumn, tz)).Append(")\n");
        }
        if (query.Dimensions.Count > 0)
        {
            sql.Append("\nGROUP BY ").AppendJoin(", ", Enumerable.Range(0, query.Dimensions.Count).Select(i => "d" + i.ToString(CultureInfo.InvariantCulture)));
        }
        if (minVisitors is { } k)
        {
            var visitors = source == PlanSource.Hits ? HitMetricSql(Metric.Visitors, bots) : VisitMetricSql(Metric.Visitors);
            sql.Append("\nHAVING ").Append(visitors).Append(" >= ").Append(p.AddUInt32((uint)k));
        }
        sql.Append("\nORDER BY ").AppendJoin(", ", OrderSql(query));
        var limit = unlimited ?? query.Limit;
        var offset = unlimited is null ? query.Offset : 0;
        sql.Append("\nLIMIT ").Append(p.AddInt64(limit)).Append(" OFFSET ").Append(p.AddInt64(offset));
        sql.Append("\nSETTINGS max_execution_time = ").Append(Math.Max(1, (int)Math.Ceiling(timeout.TotalSeconds)).ToString(CultureInfo.InvariantCulture));
        return new QueryPlan(sql.ToString(), p.Values, source);
    }

    /// <summary>
    /// One row per visit and dimension value: the hits of the period grouped into visits (a new visit
    /// after 30 minutes without a hit), each hit row carrying its visit's values, then filtered (a visit
    /// counts when any of its hits matches) and grouped per visit.
    /// </summary>
    private string VisitRowsSql(StatsQuery query, string where, string? filter, string timeColumn, string tz)
    {
        var hitColumns = new[] { "timestamp", "hit_id", "visitor_id", "kind", "path", "event_name", "link_campaign", "hostname",
            "country", "region", "city", "browser", "browser_version", "os", "os_version", "device_type" };
        var raw = string.Join(", ", hitColumns.Concat(VisitColumns.Select(c => $"{c} AS hit_{c}")));
        var visitValues = string.Join(", ", VisitColumns.Select(c => $"argMin(hit_{c}, timestamp) OVER visit AS {c}"));
        var groupDims = query.Dimensions.Select(d => DimensionSql(d, timeColumn, tz));
        return $"""
            SELECT {string.Join("", groupDims.Select((d, i) => $"{d} AS d{i}, "))}any(visitor_id) AS visitor_id,
                   any(toUInt32(dateDiff('second', started_at, ended_at))) AS duration, any(visit_pageviews = 1) AS is_bounce,
                   countIf(kind = 1) AS pageviews, countIf(kind = 2) AS events, countIf(kind = 3) AS link_clicks
            FROM (
                SELECT *, min(timestamp) OVER visit AS started_at, max(timestamp) OVER visit AS ended_at,
                       countIf(kind = 1) OVER visit AS visit_pageviews,
                       argMinIf(path, timestamp, kind = 1) OVER visit AS entry_page,
                       argMaxIf(path, timestamp, kind = 1) OVER visit AS exit_page,
                       {visitValues}
                FROM (
                    SELECT *, sum(is_start) OVER (PARTITION BY visitor_key ORDER BY timestamp, hit_id ROWS UNBOUNDED PRECEDING) AS visit_number
                    FROM (
                        SELECT {raw}, if(visitor_id = {NoVisitor}, hit_id, visitor_id) AS visitor_key,
                               toUInt8(dateDiff('second', lagInFrame(timestamp) OVER (PARTITION BY visitor_key ORDER BY timestamp, hit_id ROWS BETWEEN 1 PRECEDING AND CURRENT ROW), timestamp) >= 1800) AS is_start
                        FROM {database}.hits
                        WHERE {where}
                    )
                )
                WINDOW visit AS (PARTITION BY visitor_key, visit_number)
            )
            {(filter is null ? "" : "WHERE " + filter)}
            GROUP BY {string.Join("", query.Dimensions.Select((_, i) => $"d{i}, "))}visitor_key, visit_number
            """;
    }

    private static string DimensionSql(QueryDimension dimension, string timeColumn, string tz) => dimension.Grain switch
    {
        TimeGrain.Hour => $"toString(toStartOfHour({timeColumn}, {tz}))",
        TimeGrain.Day => $"toString(toDate({timeColumn}, {tz}))",
        TimeGrain.Week => $"toString(toMonday({timeColumn}, {tz}))",
        TimeGrain.Month => $"toString(toStartOfMonth({timeColumn}, {tz}))",
        _ => $"toString({dimension.Column!.Column})",
    };

    private static string HitMetricSql(Metric metric, bool botsIncluded)
    {
        var human = botsIncluded ? " AND NOT is_bot" : "";
        return metric.Name switch
        {
            "visitors" => $"uniqIf(visitor_id, visitor_id != {NoVisitor}{human})",
            "pageviews" => $"countIf(kind = 1{human})",
            "events" => $"countIf(kind = 2{human})",
            "link_clicks" => $"countIf(kind = 3{human})",
            "bot_hits" => "countIf(is_bot)",
            _ => throw new InvalidOperationException($"{metric.Name} is a visit metric."),
        };
    }

    private static string VisitMetricSql(Metric metric) => metric.Name switch
    {
        "visitors" => $"uniqIf(visitor_id, visitor_id != {NoVisitor})",
        "visits" => "count()",
        "pageviews" => "sum(pageviews)",
        "events" => "sum(events)",
        "link_clicks" => "sum(link_clicks)",
        "views_per_visit" => "if(count() = 0, 0, round(sum(pageviews) / count(), 2))",
        "bounce_rate" => "if(count() = 0, 0, round(100 * countIf(is_bounce) / count(), 1))",
        "visit_duration" => "if(count() = 0, 0, toInt64(round(avg(duration))))",
        _ => throw new InvalidOperationException($"{metric.Name} has no visit form."),
    };

    private static string FilterSql(Filter filter, SqlParameters p) => filter switch
    {
        AllOf { Filters.Count: 0 } => "1",
        AllOf all => "(" + string.Join(" AND ", all.Filters.Select(f => FilterSql(f, p))) + ")",
        AnyOf { Filters.Count: 0 } => "0",
        AnyOf any => "(" + string.Join(" OR ", any.Filters.Select(f => FilterSql(f, p))) + ")",
        NotFilter not => "NOT " + FilterSql(not.Inner, p),
        Condition c => ConditionSql(c, p),
        _ => throw new InvalidOperationException("Unknown filter."),
    };

    private static string ConditionSql(Condition condition, SqlParameters p)
    {
        var column = condition.Dimension.Column;
        var values = condition.Values.Select(p.AddString).ToList();
        return condition.Operator switch
        {
            FilterOperator.Is => $"({column} IN ({string.Join(", ", values)}))",
            FilterOperator.IsNot => $"({column} NOT IN ({string.Join(", ", values)}))",
            FilterOperator.Contains => "(" + string.Join(" OR ", values.Select(v => $"positionCaseInsensitiveUTF8({column}, {v}) > 0")) + ")",
            FilterOperator.Matches => "(" + string.Join(" OR ", values.Select(v => $"match({column}, {v})")) + ")",
            _ => throw new InvalidOperationException("Unknown operator."),
        };
    }

    /// <summary>The caller's order, then a stable default: time ascending or first metric descending, then every dimension.</summary>
    private static IEnumerable<string> OrderSql(StatsQuery query)
    {
        var order = new List<string>();
        foreach (var item in query.OrderBy)
        {
            var metric = query.Metrics.ToList().FindIndex(m => m.Name == item.Name);
            var column = metric >= 0 ? $"m{metric}" : $"d{query.Dimensions.ToList().FindIndex(d => d.Name == item.Name)}";
            order.Add(column + (item.Descending ? " DESC" : " ASC"));
        }
        if (query.OrderBy.Count == 0)
        {
            var time = query.Dimensions.ToList().FindIndex(d => d.Grain is not null);
            order.Add(time >= 0 ? $"d{time} ASC" : "m0 DESC");
        }
        for (var i = 0; i < query.Dimensions.Count; i++)
        {
            order.Add($"d{i} ASC");
        }
        return order.Distinct();
    }

    private static long Millis(DateTime utc) => new DateTimeOffset(DateTime.SpecifyKind(utc, DateTimeKind.Utc)).ToUnixTimeMilliseconds();
}
