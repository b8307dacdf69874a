using Analytics.Pipeline.Privacy;

namespace Analytics.Partners.Reports;

/// <summary>
/// A report's cells and those of every coarser breakdown another report of the partner can show over the same
/// sites, filters and window: each subset of its dimensions that keeps `site` (every report has it), and the total.
/// Which cells to withhold is decided over all of them together (<see cref="BreakdownLattice"/>), period by period.
/// </summary>
internal sealed class ReportBreakdowns
{
    private const char Separator = '\u001f';

    private readonly ReportQuery _query;
    private readonly int _k;
    private readonly Dictionary<int, IReadOnlyList<AggregateRow>> _tables;

    private ReportBreakdowns(ReportQuery query, int k, Dictionary<int, IReadOnlyList<AggregateRow>> tables)
    {
        _query = query;
        _k = k;
        _tables = tables;
    }

    /// <summary>The report's own cells (all of its dimensions).</summary>
    public IReadOnlyList<AggregateRow> Cells => _tables[Full];

    /// <summary>One row per period over all cells.</summary>
    public IReadOnlyList<AggregateRow> Totals => _tables[0];

    private int Full => (1 << _query.Dimensions.Count) - 1;

    /// <summary>Reads the report's cells and those of every coarser breakdown (2^(dimensions - 1) + 1 reads).</summary>
    public static async Task<ReportBreakdowns> ReadAsync(IAggregateSource source, ReportQuery query, int k, CancellationToken cancellationToken)
    {
        var full = (1 << query.Dimensions.Count) - 1;
        var tables = new Dictionary<int, IReadOnlyList<AggregateRow>>
        {
            [full] = await source.RowsAsync(query, cancellationToken),
            [0] = await source.TotalsAsync(query, null, cancellationToken),
        };
        foreach (var mask in Shapes(query).Where(m => m != 0 && m != full))
        {
            tables[mask] = await source.RowsAsync(query with { Dimensions = BreakdownLattice.Positions(mask).Select(p => query.Dimensions[p]).ToList() }, cancellationToken);
        }
        return new ReportBreakdowns(query, k, tables);
    }

    /// <summary>
    /// The keys (<see cref="KeyOf"/>) of the report's cells withheld in <paramref name="period"/>;
    /// <paramref name="alsoWithheld"/> are keys withheld by an earlier run, withheld again.
    /// </summary>
    public IReadOnlySet<string> Withheld(DateOnly period, IReadOnlySet<string> alsoWithheld)
    {
        var prefix = ReportWindow.Format(period) + Separator;
        var tables = _tables.ToDictionary(
            t => t.Key,
            t => (IReadOnlyList<BreakdownCell>)t.Value.Where(c => c.Period == period).Select(c => new BreakdownCell(c.Dimensions, c.Visitors, [c.Visitors, .. c.Metrics])).ToList());
        var again = alsoWithheld.Where(w => w.StartsWith(prefix, StringComparison.Ordinal)).Select(w => w[prefix.Length..]).ToHashSet(StringComparer.Ordinal);
        return BreakdownLattice.Withheld(_query.Dimensions.Count, tables, _k, again).Select(w => prefix + w).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>A cell's identity across runs: its period and dimension values.</summary>
    public static string KeyOf(AggregateRow cell) => ReportWindow.Format(cell.Period) + Separator + BreakdownLattice.Key(cell.Dimensions);

    private static IEnumerable<int> Shapes(ReportQuery query) =>
        BreakdownLattice.Shapes(query.Dimensions.Count, query.Dimensions.Count > 0 && query.Dimensions[0] == ReportCatalog.Site);
}
