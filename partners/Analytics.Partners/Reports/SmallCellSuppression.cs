namespace Analytics.Partners.Reports;

/// <summary>
/// k-anonymity for a report that survives arithmetic. A cell with fewer than k distinct visitors is never
/// published; more cells are withheld with it (the smallest first) until no withheld cell can be computed from
/// what this report and the partner's other reports of the window publish: totals, subtotals by site, breakdowns
/// by fewer dimensions (<see cref="ReportBreakdowns"/>). Withheld cells are left out, or folded into an "(other)"
/// row published only with at least k visitors. Each period ends with a total row over all cells (withheld too,
/// so totals stay true) that says how many cells were small and how many appear nowhere; the total's numbers are
/// withheld when the whole period is below k.
/// </summary>
public static class SmallCellSuppression
{
    public const string OtherValue = "(other)";

    public static Task<ReportTable> BuildAsync(IAggregateSource source, ReportQuery query, int k, SmallCellPolicy policy, CancellationToken cancellationToken) =>
        BuildAsync(source, query, k, policy, new HashSet<string>(), cancellationToken);

    /// <param name="source">The aggregates.</param>
    /// <param name="query">The report for one window.</param>
    /// <param name="k">The least distinct visitors a published cell has.</param>
    /// <param name="policy">Leave withheld cells out, or fold them into an other row.</param>
    /// <param name="withheldBefore">Keys of cells an earlier run of this report and window withheld: they stay withheld.</param>
    /// <param name="cancellationToken">Stops the reads.</param>
    public static async Task<ReportTable> BuildAsync(
        IAggregateSource source, ReportQuery query, int k, SmallCellPolicy policy, IReadOnlySet<string> withheldBefore, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 2);
        var lattice = await ReportBreakdowns.ReadAsync(source, query, k, cancellationToken);
        var cells = lattice.Cells;
        var totals = lattice.Totals.ToDictionary(t => t.Period);
        var withheld = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (start, _) in query.Window.Periods(query.Granularity))
        {
            withheld.UnionWith(lattice.Withheld(start, withheldBefore));
        }
        var hiddenCells = cells.Where(c => withheld.Contains(ReportBreakdowns.KeyOf(c))).ToList();
        var others = policy == SmallCellPolicy.FoldIntoOther && hiddenCells.Count > 0
            ? (await source.TotalsAsync(query, hiddenCells, cancellationToken)).ToDictionary(t => t.Period)
            : [];

        var rows = new List<ReportRow>();
        foreach (var (start, end) in query.Window.Periods(query.Granularity))
        {
            var inPeriod = cells.Where(c => c.Period == start).ToList();
            foreach (var cell in inPeriod.Where(c => !withheld.Contains(ReportBreakdowns.KeyOf(c)))
                         .OrderByDescending(c => c.Visitors)
                         .ThenBy(c => string.Join('\u0001', c.Dimensions), StringComparer.Ordinal))
            {
                rows.Add(new ReportRow(start, end, RowType.Cell, cell.Dimensions, cell.Visitors, Numbers(cell.Metrics), 0, 0));
            }

            var smallCount = inPeriod.Count(c => c.Visitors < k);
            var hiddenCount = hiddenCells.Count(c => c.Period == start);
            var notShown = hiddenCount;
            // The other row adds nothing a reader cannot compute: it is the total minus the published cells.
            if (hiddenCount > 0 && others.TryGetValue(start, out var other) && other.Visitors >= k)
            {
                var dimensions = query.Dimensions.Select(_ => OtherValue).ToList();
                rows.Add(new ReportRow(start, end, RowType.Other, dimensions, other.Visitors, Numbers(other.Metrics), hiddenCount, 0));
                notShown = 0;
            }

            var empty = query.Dimensions.Select(_ => "").ToList();
            rows.Add(totals.TryGetValue(start, out var total) && total.Visitors >= k
                ? new ReportRow(start, end, RowType.Total, empty, total.Visitors, Numbers(total.Metrics), smallCount, notShown)
                : new ReportRow(start, end, RowType.Total, empty, null, query.Metrics.Select(_ => (long?)null).ToList(), smallCount, notShown));
        }
        return new ReportTable(query, k, rows) { Withheld = withheld };
    }

    private static List<long?> Numbers(IReadOnlyList<long> metrics) => metrics.Select(m => (long?)m).ToList();
}
