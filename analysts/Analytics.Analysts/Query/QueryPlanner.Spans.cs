using System.Globalization;
using System.Text;
using Analytics.Pipeline.Schema;

namespace Analytics.Analysts.Query;

/// <summary>The planner's SQL for rollup_visitor_spans_fine and for the estimate of all visitors.</summary>
public sealed partial class QueryPlanner
{
    /// <summary>The rollup_visitor_spans_fine attribute a query planned on <see cref="PlanSource.VisitorSpans"/> reads; null on any other source.</summary>
    private static string? SpanAttribute(StatsQuery query, DateRange range, PlanSource source)
    {
        if (source != PlanSource.VisitorSpans)
        {
            return null;
        }
        var conditions = query.Filter?.Conditions().ToList() ?? [];
        return VisitorSpans.AttributeFor(query, conditions, range, visits: true) is { } visits && SourceChoice.IsVisitQuery(query, conditions)
            ? visits
            : VisitorSpans.AttributeFor(query, conditions, range, visits: false);
    }

    /// <summary>The visitors-by-day query whose sum bounds a period's visitors (<see cref="QueryRunner"/>).</summary>
    public static StatsQuery VisitorsByDay(StatsQuery query, DateRange range) => query with
    {
        Metrics = [Metric.Visitors],
        Dimensions = [new QueryDimension("time:day", null, TimeGrain.Day)],
        OrderBy = [],
        Offset = 0,
        Limit = range.Days,
        Comparison = Comparison.None,
    };

    /// <summary>
    /// For a visitors-by-day query the spans answer: the sum of the visitors of each span in the fewest
    /// that cover <paramref name="range"/> (m0), or null on any other source. A span's visitors are at most
    /// the sum of its days' visitors, so this is a lower bound of the sum of the days that finalizes 6-12
    /// states instead of one per day (<see cref="QueryRunner"/> reads it before counting each day).
    /// </summary>
    public QueryPlan? SpanSumPlan(StatsQuery byDay, DateRange range, PlanMode mode = PlanMode.Best)
    {
        var query = byDay with { Filter = SourceChoice.Simplified(byDay.Filter) };
        var period = query with { Dimensions = [] };
        if (SourceFor(query, range, mode) != PlanSource.VisitorSpans || SourceFor(period, range, mode) != PlanSource.VisitorSpans
            || SpanAttribute(period, range, PlanSource.VisitorSpans) is not { } attribute)
        {
            return null;
        }
        var p = new SqlParameters();
        var sql = new StringBuilder("SELECT sum(v) AS m0, 1 AS total_rows\nFROM (");
        if (AttributeColumn(period) is { } column)
        {
            sql.Append("WITH value AS ").Append(column).Append('\n');
        }
        sql.Append("SELECT ").Append(SpanVisitors).Append(" AS v FROM ").Append(database).Append('.').Append(VisitorSpans.Table)
            .Append("\nWHERE site_id = ").Append(p.AddString(period.SiteId)).Append(" AND attribute = ").Append(p.AddString(attribute))
            .Append(" AND ").Append(VisitorSpans.CoverSql(range));
        if (period.Filter is not null)
        {
            sql.Append(" AND ").Append(FilterSql(period.Filter, p));
        }
        sql.Append("\nGROUP BY span_days, day)\nSETTINGS max_execution_time = ")
            .Append(Math.Max(1, (int)Math.Ceiling(timeout.TotalSeconds)).ToString(CultureInfo.InvariantCulture));
        return new QueryPlan(sql.ToString(), p.Values, PlanSource.VisitorSpans);
    }

    /// <summary>
    /// For a total over two or more days on the spans: the query's own answer in one read, with one more
    /// output after its metrics, a lower bound of the sum of its days: beside the total, each covering span is
    /// merged on its own and the spans' visitors summed (what <see cref="SpanSumPlan"/> gives in a second
    /// read). A span's visitors are at most the sum of its days'. Null when the query is not of that shape,
    /// or when the days are counted on rows for which that does not hold (<see cref="DaysAtLeastTheSpans"/>).
    /// </summary>
    public QueryPlan? TotalWithPartsPlan(StatsQuery query, StatsQuery byDay, DateRange range, PlanMode mode = PlanMode.Best)
    {
        var total = query with { Filter = SourceChoice.Simplified(query.Filter) };
        var days = byDay with { Filter = SourceChoice.Simplified(byDay.Filter) };
        var period = days with { Dimensions = [] };
        if (total.Dimensions.Count > 0 || range.Days < 2 || !total.Metrics.Contains(Metric.Visitors)
            || SourceFor(total, range, mode) != PlanSource.VisitorSpans || SpanAttribute(total, range, PlanSource.VisitorSpans) is not { } attribute
            || SourceFor(days, range, mode) != PlanSource.VisitorSpans || SourceFor(period, range, mode) != PlanSource.VisitorSpans
            || SpanAttribute(period, range, PlanSource.VisitorSpans) is not { } dayAttribute || !DaysAtLeastTheSpans(attribute, dayAttribute))
        {
            return null;
        }
        var p = new SqlParameters();
        var metrics = total.Metrics.Select((m, i) => $"{SpanMetricSql(m)} AS m{i.ToString(CultureInfo.InvariantCulture)}");
        // The spans lie within the period and do not overlap. Each is merged on its own beside the total, in the
        // same pass over the states: no part state is handed on (an inner GROUP BY with -MergeState took about 15%
        // longer at 10 M hits), and one part per span cost no more than two halves of the period (42-46 ms at 10 M).
        var parts = VisitorSpans.Cover(range).Select(span => VisitorSketch.MergeIf(VisitorSketch.Column, VisitorSpans.SpanSql(span)));
        var sql = new StringBuilder();
        if (AttributeColumn(total) is { } column)
        {
            sql.Append("WITH value AS ").Append(column).Append('\n');
        }
        sql.Append("SELECT ").AppendJoin(", ", metrics).Append(", ").AppendJoin(" + ", parts).Append(" AS m").Append(total.Metrics.Count.ToString(CultureInfo.InvariantCulture))
            .Append(", count() OVER () AS total_rows\nFROM ").Append(database).Append('.').Append(VisitorSpans.Table)
            .Append("\nWHERE site_id = ").Append(p.AddString(total.SiteId)).Append(" AND attribute = ").Append(p.AddString(attribute))
            .Append(" AND ").Append(VisitorSpans.CoverSql(range));
        if (total.Filter is not null)
        {
            sql.Append(" AND ").Append(FilterSql(total.Filter, p));
        }
        if (!VisitorSpans.IsHitFed(attribute))
        {
            // As in Build: a visit that grew is a -1/+1 pair until merges fold it.
            sql.Append("\nHAVING ").Append(VisitRollupMetricSql(Metric.Visits)).Append(" > 0");
        }
        sql.Append("\nSETTINGS max_execution_time = ").Append(Math.Max(1, (int)Math.Ceiling(timeout.TotalSeconds)).ToString(CultureInfo.InvariantCulture));
        return new QueryPlan(sql.ToString(), p.Values, PlanSource.VisitorSpans);
    }

    /// <summary>The columns a span row and a window row have alike, all a query on the spans reads.</summary>
    private const string SpanColumns = "value, visitors_exact, visits, pageviews, anonymous_pageviews, bounces, visit_duration";

    /// <summary>Whether <paramref name="window"/> holds the first days of <paramref name="range"/>, for <paramref name="attribute"/> rows.</summary>
    private static bool WindowFits(StoredWindow window, string attribute, DateRange range) =>
        window.Attribute == attribute && window.First == DateOnly.FromDateTime(range.From) && window.End <= DateOnly.FromDateTime(range.To);

    /// <summary>
    /// The rows of <paramref name="range"/> as a window and the spans: the window's merged row of each value it
    /// holds, for its days, and the spans of the days after it; a value the window does not hold (it keeps the
    /// most visited, <see cref="VisitorWindows.DefaultValues"/>) is read from the spans of the window's days too. The
    /// filter is applied in every part, so only the values asked for are read.
    /// </summary>
    private string WindowAndSpansSql(StoredWindow window, DateRange range, string site, SqlParameters p, string? filter)
    {
        var attribute = p.AddString(window.Attribute);
        var days = VisitorWindows.Days(window.First, window.End);
        var rest = new DateRange(days.To, range.To, window.End, range.LastDay);
        var and = filter is null ? "" : " AND " + filter;
        var windowRows = new StringBuilder(" FROM ").Append(database).Append('.').Append(VisitorWindows.Table)
            .Append(" WHERE site_id = ").Append(site).Append(" AND attribute = ").Append(attribute)
            .Append(" AND first_day = ").Append(VisitorWindows.Date(window.First)).Append(" AND end_day = ").Append(VisitorWindows.Date(window.End))
            .Append(" AND built = toDateTime64(").Append(p.AddString(window.Built)).Append(", 6, 'UTC')").Append(and).ToString();
        return new StringBuilder("SELECT ").Append(SpanColumns).Append(windowRows)
            .Append("\nUNION ALL\nSELECT ").Append(SpanColumns).Append(" FROM ").Append(database).Append('.').Append(VisitorSpans.Table)
            .Append("\nWHERE site_id = ").Append(site).Append(" AND attribute = ").Append(attribute).Append(and)
            .Append(" AND (").Append(VisitorSpans.CoverSql(rest)).Append(" OR (").Append(VisitorSpans.CoverSql(days))
            .Append(" AND value NOT IN (SELECT value").Append(windowRows).Append(")))")
            .ToString();
    }

    /// <summary>
    /// Whether the visitors of spans of <paramref name="attribute"/> rows are at most the sum of the visitors
    /// of their days counted on <paramref name="dayAttribute"/> rows: on the same rows (a union is at most
    /// the sum of its parts), and for visit-fed totals against hit-fed days ('visits' against 'hits', the
    /// unfiltered top line against the chart): a visit is counted on the day its first hit was, and that
    /// hit, with the same visitor ID, is in the 'hits' rows of that day.
    /// </summary>
    private static bool DaysAtLeastTheSpans(string attribute, string dayAttribute) =>
        attribute == dayAttribute || (attribute, dayAttribute) is ("visits", "hits");

    /// <summary>The column the spans' <c>value</c> stands for (the dimension's or the filter's), or null when the query has none.</summary>
    private static string? AttributeColumn(StatsQuery query) =>
        query.Dimensions.Select(d => d.Column?.Column).Concat(query.Filter?.Conditions().Select(c => c.Dimension.Column) ?? []).OfType<string>().FirstOrDefault();

    /// <summary>Metrics from rollup_visitor_spans_fine: visit-fed rows hold visit sums, hit-fed rows pageviews; both the cookie-less pageviews.</summary>
    private static string SpanMetricSql(Metric metric) => metric.Name switch
    {
        "visitors" => SpanVisitors,
        "estimated_visitors" => EstimateSql(SpanVisitors, "sum(pageviews)", "sum(anonymous_pageviews)"),
        _ => VisitRollupMetricSql(metric),
    };

    private static string SpanVisitors => VisitorSketch.MergeOf(VisitorSketch.Column);

    /// <summary>
    /// Cookie visitors plus the cookie-less pageviews scaled by the cookie visitors' pageviews per visitor
    /// (<paramref name="visitors"/> / (<paramref name="pageviews"/> - <paramref name="anonymous"/>)), rounded.
    /// With no cookie visitor to scale by, each cookie-less pageview counts as one visitor (an upper bound).
    /// </summary>
    private static string EstimateSql(string visitors, string pageviews, string anonymous) =>
        $"toUInt64(round({visitors} + if({pageviews} - {anonymous} > 0 AND {visitors} > 0, toFloat64({anonymous} * {visitors} / ({pageviews} - {anonymous})), toFloat64({anonymous}))))";
}
