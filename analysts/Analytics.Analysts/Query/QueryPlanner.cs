using System.Globalization;
using System.Text;
using Analytics.Pipeline.Hits;
using Analytics.Pipeline.Schema;

namespace Analytics.Analysts.Query;

/// <summary>
/// Builds the SQL for a <see cref="StatsQuery"/>. Metric and dimension names map to fixed SQL from the
/// allow-lists; every caller value is a bound parameter. The planner picks the cheapest data that can
/// answer: raw hits for hit metrics, visits for visit metrics and visit-level dimensions.
/// Output columns: d0..dN (dimension values as text), m0..mK (metrics), total_rows.
/// </summary>
public sealed partial class QueryPlanner(string database, TimeSpan timeout)
{
    private const string NoVisitor = "toUUID('00000000-0000-0000-0000-000000000000')";

    /// <summary>
    /// The key that keeps an anonymous hit apart from every other when hits are grouped into visits: its
    /// visitor ID, or for an anonymous hit the hit itself. Only cookie visitors are counted as visitors.
    /// </summary>
    private const string VisitorKey = $"if(visitor_id = {NoVisitor}, hit_id, visitor_id)";

    /// <summary>A row with a visitor ID (a cookie): the only rows that count as visitors.</summary>
    private const string HasVisitor = $"visitor_id != {NoVisitor}";

    /// <summary>Columns whose visit value is the value of the visit's first hit, as in the visits table.</summary>
    private static readonly string[] VisitColumns =
        [.. HitFields.In(FieldTables.Hits).Where(f => f.Tables == FieldTables.Both && f.Dimension is { Level: not FieldLevel.Hit }).Select(f => f.Column)];

    private static readonly HashSet<string> PageMetrics = ["visitors", "pageviews", "estimated_visitors"];

    /// <summary>
    /// The cheapest data that answers <paramref name="query"/> over <paramref name="range"/> exactly as raw
    /// data would (<see cref="SourceChoice"/>).
    /// </summary>
    public static PlanSource SourceFor(StatsQuery query, DateRange range, PlanMode mode = PlanMode.Best) => SourceChoice.For(query, range, mode);

    /// <param name="query">The validated query.</param>
    /// <param name="range">The period to read (the query's own, or its comparison period).</param>
    /// <param name="minVisitors">When set, rows with fewer visitors are left out (shared dashboards).</param>
    /// <param name="unlimited">Read every row up to the row limit (comparison periods are matched in memory).</param>
    /// <param name="mode">Which data may be read (tests and the benchmark compare the answers).</param>
    /// <param name="onlyValues">When set, only these values of the (single) dimension are read (<see cref="BoundPlan"/>).</param>
    /// <param name="window">When set, the query's days of that window are read from it (<see cref="WindowAttribute"/>).</param>
    /// <param name="pageWindow">When set, the query's days of that page window are read from it (<see cref="PageWindowOf"/>).</param>
    public QueryPlan Plan(StatsQuery query, DateRange range, int? minVisitors = null, int? unlimited = null, PlanMode mode = PlanMode.Best,
        IReadOnlyList<string>? onlyValues = null, StoredWindow? window = null, StoredPageWindow? pageWindow = null) =>
        Build(query, range, minVisitors, unlimited, mode, onlyValues, bound: null, window, pageWindow);

    /// <summary>
    /// The attribute whose <see cref="VisitorWindows"/> could answer <paramref name="query"/> over
    /// <paramref name="range"/>: a period (no time dimension) planned on the visitor spans; null otherwise.
    /// </summary>
    public static string? WindowAttribute(StatsQuery query, DateRange range, PlanMode mode = PlanMode.Best)
    {
        var simple = query with { Filter = SourceChoice.Simplified(query.Filter) };
        var source = SourceFor(simple, range, mode);
        return simple.HasTimeDimension ? null : SpanAttribute(simple, range, source);
    }

    /// <summary>
    /// For a breakdown ordered by visitors (the dashboard's panels): the <paramref name="take"/> values with
    /// the most visits (or pageviews, for pages), an upper bound of their visitors that needs no
    /// visitor sketch, with the row count. Null when the query is not of that shape or its data has no
    /// such bound. m0 is the bound.
    /// </summary>
    public QueryPlan? BoundPlan(StatsQuery query, DateRange range, int take, PlanMode mode = PlanMode.Best)
    {
        var simple = query with { Filter = SourceChoice.Simplified(query.Filter) };
        var source = SourceFor(simple, range, mode);
        var eligible = query.Dimensions is [{ Grain: null }] && query.OrderBy.Count == 0 && query.Metrics[0] == Metric.Visitors
            && BoundSql(source, SpanAttribute(simple, range, source)) is not null;
        return eligible ? Build(simple, range, null, null, mode, null, take, window: null) : null;
    }

    /// <summary>An upper bound of visitors per row: a visitor has at least one visit (or pageview) in the row.</summary>
    private static string? BoundSql(PlanSource source, string? spanAttribute) => source switch
    {
        PlanSource.PagesDailyRollup => "sum(pageviews)",
        PlanSource.VisitorSpans when spanAttribute == "page" => "sum(pageviews)",
        PlanSource.VisitorSpans when spanAttribute is not null && !VisitorSpans.IsHitFed(spanAttribute) => "sum(visits)",
        PlanSource.VisitorSpans => null,
        PlanSource.Sessions => "countIf(sign > 0)",
        _ when IsVisitRollup(source) => "sum(visits)",
        _ => null,
    };

    private QueryPlan Build(StatsQuery query, DateRange range, int? minVisitors, int? unlimited, PlanMode mode, IReadOnlyList<string>? onlyValues, int? bound,
        StoredWindow? window, StoredPageWindow? pageWindow = null)
    {
        var p = new SqlParameters();
        query = query with { Filter = SourceChoice.Simplified(query.Filter) };
        var source = SourceFor(query, range, mode);
        // Through a page window, the visits are read as window rows: the span columns, with the span metrics.
        var paged = source == PlanSource.SessionsByHits && pageWindow is not null && mode == PlanMode.Best && onlyValues is null && bound is null
            && PageWindowFits(pageWindow, query, range);
        var metricSource = paged ? PlanSource.VisitorSpans : source;
        // A total through a window whose days' visitors have a bound reads the fresh days' to go with it.
        var freshVisitors = paged && pageWindow!.DaysVisitorsAtLeast is not null && query.Dimensions.Count == 0 && query.Metrics.Contains(Metric.Visitors);
        var spanAttribute = SpanAttribute(query, range, source);
        var sql = new StringBuilder("SELECT ");
        var tz = p.AddString(query.TimeZone.Id);
        var bots = query.Metrics.Contains(Metric.BotHits);
        // A page breakdown, or pageviews and visitors filtered by page, count pageviews and the visitors who
        // viewed the page, as the pages rollup does.
        var pageviewsOnly = source == PlanSource.Hits && query.Metrics.All(m => PageMetrics.Contains(m.Name))
            && (query.Dimensions.Any(d => d.Column?.Name == "page") || (query.Filter?.Conditions().Any(c => c.Dimension.Name == "page") ?? false));
        var outputs = new List<string>();
        for (var i = 0; i < query.Dimensions.Count; i++)
        {
            outputs.Add(source switch
            {
                PlanSource.VisitsFromHits or PlanSource.SessionsByHits => $"d{i}",
                PlanSource.SiteHourlyRollup => $"{DimensionSql(query.Dimensions[i], "hour", tz)} AS d{i}",
                PlanSource.VisitorSpans => $"{DimensionSql(query.Dimensions[i], "toDateTime(day, 'UTC')", tz)} AS d{i}",
                PlanSource.Sessions => $"{DimensionSql(query.Dimensions[i], "started_at", tz)} AS d{i}",
                PlanSource.Hits => $"{DimensionSql(query.Dimensions[i], "timestamp", tz)} AS d{i}",
                _ when IsDaily(source) => $"{DimensionSql(query.Dimensions[i], "toDateTime(day, 'UTC')", tz)} AS d{i}",
                _ => $"{DimensionSql(query.Dimensions[i], "timestamp", tz)} AS d{i}",
            });
        }
        for (var i = 0; i < query.Metrics.Count && bound is null && !paged; i++)
        {
            outputs.Add($"{MetricSql(metricSource, query.Metrics[i], bots)} AS m{i}");
        }
        if (paged)
        {
            outputs.AddRange(WindowMetrics.SumsSql.Select((sum, i) => $"{sum} AS s{i}"));
        }
        if (freshVisitors)
        {
            outputs.Add("sum(fresh_visitors) AS f0");
        }
        if (bound is not null)
        {
            outputs.Add($"{BoundSql(source, spanAttribute)} AS m0");
        }
        outputs.Add("count() OVER () AS total_rows");
        var attribute = source == PlanSource.VisitAttributesDailyRollup ? AttributeOf(query) : null;
        if (source == PlanSource.VisitorSpans && AttributeColumn(query) is { } spanColumn)
        {
            sql.Insert(0, $"WITH value AS {spanColumn}\n");
        }
        else if (RenamedColumn(source, attribute) is { } renamed)
        {
            // The rollup's column read under the dimension's name, so dimension and filter SQL stay the same.
            sql.Insert(0, $"WITH {renamed.Column} AS {renamed.Name}\n");
        }
        sql.AppendJoin(", ", outputs).Append('\n');

        var site = p.AddString(query.SiteId);
        var from = p.AddInt64(Millis(range.From));
        var to = p.AddInt64(Millis(range.To));
        var where = new StringBuilder()
            .Append("site_id = ").Append(site)
            .Append(" AND timestamp >= fromUnixTimestamp64Milli(").Append(from).Append(", 'UTC')")
            .Append(" AND timestamp < fromUnixTimestamp64Milli(").Append(to).Append(", 'UTC')");
        if (!bots)
        {
            where.Append(" AND NOT is_bot");
        }
        if (pageviewsOnly)
        {
            where.Append(" AND kind = 1");
        }
        var filter = query.Filter is null ? null : FilterSql(query.Filter, p);
        if (onlyValues is { Count: > 0 })
        {
            var only = $"{query.Dimensions[0].Column!.Column} IN ({string.Join(", ", onlyValues.Select(p.AddString))})";
            filter = filter is null ? only : $"{filter} AND {only}";
        }

        switch (source)
        {
            case PlanSource.Hits:
                sql.Append("FROM ").Append(database).Append(".hits\nWHERE ").Append(where);
                if (filter is not null)
                {
                    sql.Append(" AND ").Append(filter);
                }
                break;
            case PlanSource.VisitsFromHits:
                // As in the visits table, a visit belongs to the period it started in and keeps all its hits:
                // hits are read a day beyond the period on both sides, visits kept by their start.
                var hitsAround = where.ToString()
                    .Replace($"fromUnixTimestamp64Milli({from}, 'UTC')", $"fromUnixTimestamp64Milli({from}, 'UTC') - INTERVAL 1 DAY", StringComparison.Ordinal)
                    .Replace($"fromUnixTimestamp64Milli({to}, 'UTC')", $"fromUnixTimestamp64Milli({to}, 'UTC') + INTERVAL 1 DAY", StringComparison.Ordinal);
                var started = $"started_at >= fromUnixTimestamp64Milli({from}, 'UTC') AND started_at < fromUnixTimestamp64Milli({to}, 'UTC')";
                if (HitOnlyParts(query.Filter) is { Count: > 0 } hitParts)
                {
                    // A visit matches only through a hit that meets the hit-level part of the filter, so only
                    // the visitors with such a hit need their visits rebuilt: the window functions then sort
                    // a fraction of the hits. The answer is the same (RollupPlannerTests).
                    hitsAround += $" AND {VisitorKey} IN (SELECT {VisitorKey} FROM {database}.hits WHERE {hitsAround} AND {string.Join(" AND ", hitParts.Select(f => FilterSql(f, p)))})";
                }
                sql.Append("FROM (").Append(VisitRowsSql(query, hitsAround, filter is null ? started : $"{started} AND {filter}", "started_at", tz)).Append(")\n");
                break;
            case PlanSource.SessionsByHits when paged:
                sql.Append("FROM (").Append(PageWindowAndFreshSql(pageWindow!, query, range, site, tz, p, freshVisitors)).Append(")\n");
                break;
            case PlanSource.SessionsByHits:
                sql.Append("FROM (").Append(SessionsByHitsSql(query, site, from, to, tz, p)).Append(")\n");
                break;
            case PlanSource.Sessions:
                sql.Append("FROM ").Append(database).Append(".sessions\nWHERE site_id = ").Append(site)
                    .Append(" AND started_at >= fromUnixTimestamp64Milli(").Append(from).Append(", 'UTC')")
                    .Append(" AND started_at < fromUnixTimestamp64Milli(").Append(to).Append(", 'UTC') AND NOT is_bot");
                if (filter is not null)
                {
                    sql.Append(" AND ").Append(filter);
                }
                break;
            case PlanSource.VisitorSpans when window is not null && WindowFits(window, spanAttribute!, range) && !query.HasTimeDimension:
                sql.Append("FROM (").Append(WindowAndSpansSql(window, range, site, p, filter)).Append(')');
                break;
            case PlanSource.VisitorSpans:
                // A time series reads one-day spans; a period, the fewest spans that cover it.
                sql.Append("FROM ").Append(database).Append('.').Append(VisitorSpans.Table).Append("\nWHERE site_id = ").Append(site)
                    .Append(" AND attribute = ").Append(p.AddString(spanAttribute!)).Append(" AND ");
                if (query.HasTimeDimension)
                {
                    sql.Append("span_days = 1 AND day >= toDate(fromUnixTimestamp64Milli(").Append(from).Append(", 'UTC')) AND day < toDate(fromUnixTimestamp64Milli(").Append(to).Append(", 'UTC'))");
                }
                else
                {
                    sql.Append(VisitorSpans.CoverSql(range));
                }
                if (filter is not null)
                {
                    sql.Append(" AND ").Append(filter);
                }
                break;
            case PlanSource.SiteHourlyRollup:
                sql.Append("FROM ").Append(database).Append(".rollup_site_hourly\nWHERE site_id = ").Append(site)
                    .Append(" AND hour >= toDateTime(intDiv(").Append(from).Append(", 1000), 'UTC') AND hour < toDateTime(intDiv(").Append(to).Append(", 1000), 'UTC')");
                break;
            default:
                // Daily rollups: whole UTC days (SourceChoice checks), filters only on the rollup's key columns.
                sql.Append("FROM ").Append(database).Append('.').Append(TableOf(source)).Append("\nWHERE site_id = ").Append(site)
                    .Append(" AND day >= toDate(fromUnixTimestamp64Milli(").Append(from).Append(", 'UTC')) AND day < toDate(fromUnixTimestamp64Milli(").Append(to).Append(", 'UTC'))");
                if (attribute is not null)
                {
                    sql.Append(" AND attribute = ").Append(p.AddString(attribute));
                }
                if (filter is not null)
                {
                    sql.Append(" AND ").Append(filter);
                }
                break;
        }
        if (query.Dimensions.Count > 0)
        {
            sql.Append("\nGROUP BY ").AppendJoin(", ", Enumerable.Range(0, query.Dimensions.Count).Select(i => "d" + i.ToString(CultureInfo.InvariantCulture)));
        }
        var having = false;
        if (source is PlanSource.Sessions or PlanSource.SessionsByHits or PlanSource.EntryPagesDailyRollup or PlanSource.ExitPagesDailyRollup || IsVisitRollup(source)
            || (spanAttribute is not null && !VisitorSpans.IsHitFed(spanAttribute)))
        {
            // A visit that grew is a -1/+1 pair until merges fold it: a group whose visits all cancel is no row.
            sql.Append("\nHAVING ").Append(MetricSql(metricSource, Metric.Visits, bots)).Append(" > 0");
            having = true;
        }
        if (minVisitors is { } k)
        {
            sql.Append(having ? " AND " : "\nHAVING ").Append(MetricSql(metricSource, Metric.Visitors, bots)).Append(" >= ").Append(p.AddUInt32((uint)k));
        }
        // Through a window a metric is a sum read (s0..) or, for a ratio, its expression.
        Func<int, string> metricColumn = paged ? i => WindowMetrics.SumOf(query.Metrics[i]) is { } sum ? $"s{sum}" : MetricSql(metricSource, query.Metrics[i], bots) : i => $"m{i}";
        sql.Append("\nORDER BY ").AppendJoin(", ", bound is null ? OrderSql(query, metricColumn) : ["m0 DESC", "d0 ASC"]);
        var limit = bound ?? unlimited ?? query.Limit;
        var offset = unlimited is null && bound is null ? query.Offset : 0;
        sql.Append("\nLIMIT ").Append(p.AddInt64(limit)).Append(" OFFSET ").Append(p.AddInt64(offset));
        sql.Append("\nSETTINGS max_execution_time = ").Append(Math.Max(1, (int)Math.Ceiling(timeout.TotalSeconds)).ToString(CultureInfo.InvariantCulture));
        return new QueryPlan(sql.ToString(), p.Values, source)
        {
            MetricsFromSums = paged ? query.Metrics : null,
            WindowDaysVisitorsAtLeast = freshVisitors ? pageWindow!.DaysVisitorsAtLeast : null,
        };
    }

    private static string MetricSql(PlanSource source, Metric metric, bool bots) => source switch
    {
        PlanSource.Hits => HitMetricSql(metric, bots),
        PlanSource.VisitsFromHits => VisitMetricSql(metric),
        PlanSource.SessionsByHits => SessionMetricSql(metric),
        PlanSource.Sessions => SessionMetricSql(metric),
        _ when IsVisitRollup(source) => VisitRollupMetricSql(metric),
        PlanSource.VisitorSpans => SpanMetricSql(metric),
        PlanSource.EntryPagesDailyRollup => metric.Name == "visits" ? "sum(entries)" : "if(sum(entries) <= 0, 0, round(100 * sum(bounces) / sum(entries), 1))",
        PlanSource.ExitPagesDailyRollup => "sum(exits)",
        PlanSource.LinkClicksDailyRollup when metric.Name == "link_clicks" => "sum(clicks)",
        _ => metric.Name == "visitors" ? VisitorSketch.Merge : $"sum({metric.Name})",
    };

    /// <summary>Visit metrics from a visit-fed rollup: the same signed sums as <see cref="SessionMetricSql"/>, summed ahead.</summary>
    private static string VisitRollupMetricSql(Metric metric) => metric.Name switch
    {
        "visitors" => VisitorSketch.Merge,
        "visits" => "sum(visits)",
        "pageviews" => "sum(pageviews)",
        "views_per_visit" => "if(sum(visits) <= 0, 0, round(sum(pageviews) / sum(visits), 2))",
        "bounce_rate" => "if(sum(visits) <= 0, 0, round(100 * sum(bounces) / sum(visits), 1))",
        "visit_duration" => "if(sum(visits) <= 0, 0, toInt64(round(sum(visit_duration) / sum(visits))))",
        _ => throw new InvalidOperationException($"{metric.Name} is not in the visit rollups."),
    };

    /// <summary>A rollup column that holds a dimension under another name: the page of an entry or exit, an attribute's value.</summary>
    private static (string Column, string Name)? RenamedColumn(PlanSource source, string? attribute) => source switch
    {
        PlanSource.EntryPagesDailyRollup => ("path", "entry_page"),
        PlanSource.ExitPagesDailyRollup => ("path", "exit_page"),
        PlanSource.VisitAttributesDailyRollup => ("value", attribute!),
        _ => null,
    };

    /// <summary>The one column a query on rollup_visit_attributes_daily groups or filters by (SourceChoice checks there is one).</summary>
    private static string AttributeOf(StatsQuery query) =>
        query.Dimensions.Select(d => d.Column?.Column).Concat(query.Filter?.Conditions().Select(c => c.Dimension.Column) ?? []).OfType<string>().First();

    private static bool IsVisitRollup(PlanSource source) =>
        source is PlanSource.VisitAttributesDailyRollup or PlanSource.SourcesDailyRollup or PlanSource.LocationsDailyRollup or PlanSource.DevicesDailyRollup;

    private static bool IsDaily(PlanSource source) => TableOf(source) is not null;

    private static string? TableOf(PlanSource source) => source switch
    {
        PlanSource.PagesDailyRollup or PlanSource.EntryPagesDailyRollup or PlanSource.ExitPagesDailyRollup => "rollup_paths_daily",
        PlanSource.VisitAttributesDailyRollup => "rollup_visit_attributes_daily",
        PlanSource.SourcesDailyRollup => "rollup_sources_daily",
        PlanSource.LocationsDailyRollup => "rollup_locations_daily",
        PlanSource.DevicesDailyRollup => "rollup_devices_daily",
        PlanSource.EventsDailyRollup => "rollup_events_daily",
        PlanSource.LinkClicksDailyRollup => "rollup_link_clicks_daily",
        _ => null,
    };

    /// <summary>Visit metrics from the visits table, summed with sign so unmerged versions cancel (schema/README.md).</summary>
    private static string SessionMetricSql(Metric metric) => metric.Name switch
    {
        "visitors" => SessionVisitors,
        "estimated_visitors" => EstimateSql(SessionVisitors, "sum(sign * pageviews)", $"sum(sign * pageviews * (visitor_id = {NoVisitor}))"),
        "visits" => "sum(sign)",
        "pageviews" => "sum(sign * pageviews)",
        "events" => "sum(sign * events)",
        "link_clicks" => "sum(sign * link_clicks)",
        "views_per_visit" => "if(sum(sign) <= 0, 0, round(sum(sign * pageviews) / sum(sign), 2))",
        "bounce_rate" => "if(sum(sign) <= 0, 0, round(100 * sum(sign * is_bounce) / sum(sign), 1))",
        "visit_duration" => "if(sum(sign) <= 0, 0, toInt64(round(sum(sign * duration) / sum(sign))))",
        _ => throw new InvalidOperationException($"{metric.Name} has no visit form."),
    };

    private static string SessionVisitors => VisitorSketch.CountIf("visitor_id", $"sign > 0 AND {HasVisitor}");

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
            "visitors" => HitVisitors(botsIncluded),
            "estimated_visitors" => EstimateSql(HitVisitors(botsIncluded), $"countIf(kind = 1{human})", $"countIf(kind = 1 AND visitor_id = {NoVisitor}{human})"),
            "pageviews" => $"countIf(kind = 1{human})",
            "events" => $"countIf(kind = 2{human})",
            "link_clicks" => $"countIf(kind = 3{human})",
            "bot_hits" => "countIf(is_bot)",
            _ => throw new InvalidOperationException($"{metric.Name} is a visit metric."),
        };
    }

    private static string HitVisitors(bool botsIncluded) => VisitorSketch.CountIf("visitor_id", botsIncluded ? $"{HasVisitor} AND NOT is_bot" : HasVisitor);

    private static string VisitMetricSql(Metric metric) => metric.Name switch
    {
        "visitors" => VisitorSketch.CountIf("visitor_key", "NOT anonymous"),
        "estimated_visitors" => EstimateSql(VisitorSketch.CountIf("visitor_key", "NOT anonymous"), "sum(pageviews)", "sumIf(pageviews, anonymous)"),
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
            FilterOperator.Holds => $"({column})",
            _ => throw new InvalidOperationException("Unknown operator."),
        };
    }

    /// <summary>The caller's order, then a stable default: time ascending or first metric descending, then every dimension.</summary>
    private static IEnumerable<string> OrderSql(StatsQuery query, Func<int, string> metricColumn)
    {
        var order = new List<string>();
        foreach (var item in query.OrderBy)
        {
            var metric = query.Metrics.ToList().FindIndex(m => m.Name == item.Name);
            var column = metric >= 0 ? metricColumn(metric) : $"d{query.Dimensions.ToList().FindIndex(d => d.Name == item.Name)}";
            order.Add(column + (item.Descending ? " DESC" : " ASC"));
        }
        if (query.OrderBy.Count == 0)
        {
            var time = query.Dimensions.ToList().FindIndex(d => d.Grain is not null);
            order.Add(time >= 0 ? $"d{time} ASC" : metricColumn(0) + " DESC");
        }
        for (var i = 0; i < query.Dimensions.Count; i++)
        {
            order.Add($"d{i} ASC");
        }
        return order.Distinct();
    }

    private static long Millis(DateTime utc) => new DateTimeOffset(DateTime.SpecifyKind(utc, DateTimeKind.Utc)).ToUnixTimeMilliseconds();
}
