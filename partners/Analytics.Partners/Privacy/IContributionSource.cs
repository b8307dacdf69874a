using Analytics.Partners.Reports;

namespace Analytics.Partners.Privacy;

/// <summary>Cells with each visitor's contribution bounded, for differentially private reports.</summary>
public interface IContributionSource
{
    /// <summary>
    /// One row per period and combination of the query's dimensions, where each visitor counts in at most
    /// <paramref name="maxCellsPerVisitor"/> cells of the whole query and adds at most
    /// <paramref name="maxContributionsPerVisitor"/> to each metric of a cell (and 1 to its visitors).
    /// </summary>
    Task<IReadOnlyList<AggregateRow>> BoundedRowsAsync(
        ReportQuery query, int maxCellsPerVisitor, int maxContributionsPerVisitor, CancellationToken cancellationToken);
}
