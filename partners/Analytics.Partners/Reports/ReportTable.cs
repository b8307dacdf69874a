
namespace Analytics.Partners.Reports;

/// <summary>A report ready to be written: its query (names, window) and its published rows.</summary>
public sealed record ReportTable(ReportQuery Query, int K, IReadOnlyList<ReportRow> Rows)
{
    /// <summary>Cell and other rows (the total rows excluded).</summary>
    public int DataRows => Rows.Count(r => r.Type != RowType.Total);

    /// <summary>Cells that appear in no published row.</summary>
    public long WithheldCells => Rows.Where(r => r.Type == RowType.Total).Sum(r => r.WithheldCells);

    /// <summary>
    /// Keys (period and dimension values) of the cells withheld, small or complementary; kept beside the stored
    /// report so a rerun of the window withholds them again. Never written into the report.
    /// </summary>
    public IReadOnlySet<string> Withheld { get; init; } = new HashSet<string>();

    /// <summary>The differential privacy parameters when the report was made under DP (then <see cref="K"/> is 0); null under k-suppression.</summary>
    public DpParameters? Privacy { get; init; }
}
