namespace Analytics.Partners.Reports;

/// <summary>Where report numbers come from: aggregates only (the rollups), never raw hits.</summary>
public interface IAggregateSource
{
    /// <summary>One row per period (its first day) and combination of the query's dimensions.</summary>
    Task<IReadOnlyList<AggregateRow>> RowsAsync(ReportQuery query, CancellationToken cancellationToken);

    /// <summary>
    /// One row per period with the metrics over all cells, or only over <paramref name="onlyCells"/> when given;
    /// distinct visitors are counted exactly once however many cells a visitor is in. Dimensions are empty.
    /// </summary>
    Task<IReadOnlyList<AggregateRow>> TotalsAsync(ReportQuery query, IReadOnlyList<AggregateRow>? onlyCells, CancellationToken cancellationToken);
}
