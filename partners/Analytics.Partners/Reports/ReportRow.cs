namespace Analytics.Partners.Reports;

/// <summary>
/// One published row. <see cref="Visitors"/> and <see cref="Metrics"/> are null only on a total row whose
/// period has fewer than k visitors in all. <see cref="SmallCells"/>: on an other row the cells folded into
/// it, on a total row all cells of the period below k. <see cref="WithheldCells"/>: on a total row the cells
/// that appear in no published row.
/// </summary>
public sealed record ReportRow(
    DateOnly PeriodStart,
    DateOnly PeriodEnd,
    RowType Type,
    IReadOnlyList<string> Dimensions,
    long? Visitors,
    IReadOnlyList<long?> Metrics,
    long SmallCells,
    long WithheldCells);
