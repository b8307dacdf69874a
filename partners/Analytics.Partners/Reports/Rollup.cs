namespace Analytics.Partners.Reports;

/// <summary>
/// One rollup table a report can read: its day expression, the dimensions it is grouped by and the measures it
/// holds (see schema/README.md). Visitors are the `visitors_exact` states there (schema/0012, read by VisitorSketch); the rest are sums.
/// </summary>
public sealed record Rollup(string Table, string DayExpression, IReadOnlySet<string> Dimensions, IReadOnlySet<string> Metrics)
{
    /// <summary>Whether every dimension and metric asked for is in this rollup (`site` is in all).</summary>
    public bool Covers(IEnumerable<string> dimensions, IEnumerable<string> metrics) =>
        dimensions.All(d => d == ReportCatalog.Site || Dimensions.Contains(d)) && metrics.All(Metrics.Contains);
}
