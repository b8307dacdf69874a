namespace Analytics.Partners.Reports;

/// <summary>
/// A report definition made concrete for one run: the partner's coarsening applied, `site` first among the
/// dimensions, `visitors` split from the other metrics, and a window.
/// </summary>
public sealed record ReportQuery(
    string PartnerId,
    string ReportId,
    IReadOnlyList<string> Sites,
    IReadOnlyList<string> Dimensions,
    IReadOnlyList<string> Metrics,
    IReadOnlyDictionary<string, string> Filters,
    Granularity Granularity,
    ReportWindow Window);
