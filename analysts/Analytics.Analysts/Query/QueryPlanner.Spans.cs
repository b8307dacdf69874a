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

    private static string SpanVisitors => Analytics.Pipeline.Schema.VisitorSketch.MergeOf(Analytics.Pipeline.Schema.VisitorSketch.Column);

    /// <summary>
    /// Cookie visitors plus the cookie-less pageviews scaled by the cookie visitors' pageviews per visitor
    /// (<paramref name="visitors"/> / (<paramref name="pageviews"/> - <paramref name="anonymous"/>)), rounded.
    /// With no cookie visitor to scale by, each cookie-less pageview counts as one visitor (an upper bound).
    /// </summary>
    private static string EstimateSql(string visitors, string pageviews, string anonymous) =>
        $"toUInt64(round({visitors} + if({pageviews} - {anonymous} > 0 AND {visitors} > 0, toFloat64({anonymous} * {visitors} / ({pageviews} - {anonymous})), toFloat64({anonymous}))))";
}
