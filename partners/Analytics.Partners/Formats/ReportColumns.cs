using Analytics.Partners.Reports;

namespace Analytics.Partners.Formats;

/// <summary>
/// The stable column layout of every report file, whatever its format (documented in README, "Partner reports"):
/// schema_version, partner, report, period_start, period_end, row_type, the dimensions (site first), visitors,
/// the other metrics, small_cells, withheld_cells. A change to this layout bumps <see cref="SchemaVersion"/>.
/// </summary>
public static class ReportColumns
{
    public const int SchemaVersion = 1;

    public static IReadOnlyList<string> Leading { get; } = ["schema_version", "partner", "report", "period_start", "period_end", "row_type"];

    public static IReadOnlyList<string> Trailing { get; } = ["small_cells", "withheld_cells"];

    public static IReadOnlyList<string> Names(ReportQuery query) =>
        [.. Leading, .. query.Dimensions, ReportCatalog.Visitors, .. query.Metrics, .. Trailing];

    public static string Name(RowType type) => type switch
    {
        RowType.Cell => "cell",
        RowType.Other => "other",
        _ => "total",
    };
}
