using Analytics.Partners.Configuration;

namespace Analytics.Partners.Reports;

/// <summary>
/// k-anonymity for a report: a cell with fewer than k distinct visitors is never published on its own. It is
/// left out, or folded into an "(other)" row that is itself published only with at least k visitors. Each
/// period ends with a total row over all cells (withheld too, so totals stay true) that says how many cells
/// were small and how many appear nowhere; the total's numbers are withheld too when the whole period is below k.
/// </summary>
public static class SmallCellSuppression
{
    public const string OtherValue = "(other)";

    public static async Task<ReportTable> BuildAsync(
        IAggregateSource source, ReportQuery query, int k, SmallCellPolicy policy, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 2);
        var cells = await source.RowsAsync(query, cancellationToken);
        var totals = (await source.TotalsAsync(query, null, cancellationToken)).ToDictionary(t => t.Period);
        var small = cells.Where(c => c.Visitors < k).ToList();
        var others = policy == SmallCellPolicy.FoldIntoOther && small.Count > 0
            ? (await source.TotalsAsync(query, small, cancellationToken)).ToDictionary(t => t.Period)
            : [];

        var rows = new List<ReportRow>();
        foreach (var (start, end) in query.Window.Periods(query.Granularity))
        {
            var inPeriod = cells.Where(c => c.Period == start).ToList();
            foreach (var cell in inPeriod.Where(c => c.Visitors >= k)
                         .OrderByDescending(c => c.Visitors)
                         .ThenBy(c => string.Join('\u0001', c.Dimensions), StringComparer.Ordinal))
            {
                rows.Add(new ReportRow(start, end, RowType.Cell, cell.Dimensions, cell.Visitors, Numbers(cell.Metrics), 0, 0));
            }

            var smallCount = inPeriod.Count(c => c.Visitors < k);
            var withheld = smallCount;
            if (smallCount > 0 && others.TryGetValue(start, out var other) && other.Visitors >= k)
            {
                var dimensions = query.Dimensions.Select(_ => OtherValue).ToList();
                rows.Add(new ReportRow(start, end, RowType.Other, dimensions, other.Visitors, Numbers(other.Metrics), smallCount, 0));
                withheld = 0;
            }

            var empty = query.Dimensions.Select(_ => "").ToList();
            rows.Add(totals.TryGetValue(start, out var total) && total.Visitors >= k
                ? new ReportRow(start, end, RowType.Total, empty, total.Visitors, Numbers(total.Metrics), smallCount, withheld)
                : new ReportRow(start, end, RowType.Total, empty, null, query.Metrics.Select(_ => (long?)null).ToList(), smallCount, withheld));
        }
        return new ReportTable(query, k, rows);
    }

    private static List<long?> Numbers(IReadOnlyList<long> metrics) => metrics.Select(m => (long?)m).ToList();
}
