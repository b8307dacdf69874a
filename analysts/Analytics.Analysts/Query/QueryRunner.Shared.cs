using Analytics.Pipeline.Privacy;

namespace Analytics.Analysts.Query;

/// <summary>
/// Shared links: rows under k are hidden, and with them as many more rows (the smallest first) as it takes that
/// no hidden row can be computed from what the link shows: the rows, the same query with no dimensions (the
/// total), and the same query by fewer of its dimensions (<see cref="BreakdownLattice"/>).
/// </summary>
public sealed partial class QueryRunner
{
    /// <summary>The rows a shared link may see, and how many there are; <paramref name="paged"/> applies the query's offset and limit.</summary>
    private async Task<(List<ResultRow> Rows, long Total)> ReadSharedAsync(StatsQuery query, DateRange range, int k, PlanMode mode, bool paged, CancellationToken cancellationToken)
    {
        var (rows, _) = await ReadAsync(_planner.Plan(query, range, k, _maxRows, mode), query.Metrics.Count, cancellationToken);
        if (query.Dimensions.Count > 0)
        {
            var hidden = await HiddenRowsAsync(query, range, k, mode, cancellationToken);
            rows = rows.Where(r => !hidden.Contains(BreakdownLattice.Key(r.Dimensions))).ToList();
        }
        var total = rows.Count;
        return (paged ? rows.Skip(query.Offset).Take(query.Limit).ToList() : rows, total);
    }

    /// <summary>Keys of the rows to hide: every breakdown by a subset of the query's dimensions is read by visitors, then suppressed together.</summary>
    private async Task<IReadOnlySet<string>> HiddenRowsAsync(StatsQuery query, DateRange range, int k, PlanMode mode, CancellationToken cancellationToken)
    {
        var tables = new Dictionary<int, IReadOnlyList<BreakdownCell>>();
        foreach (var mask in BreakdownLattice.Shapes(query.Dimensions.Count, keepFirst: false))
        {
            var census = query with
            {
                Dimensions = BreakdownLattice.Positions(mask).Select(p => query.Dimensions[p]).ToList(),
                Metrics = [Metric.Visitors],
                OrderBy = [],
                Offset = 0,
                Comparison = Comparison.None,
            };
            var (cells, total) = await ReadAsync(_planner.Plan(census, range, unlimited: _maxRows, mode: mode), 1, cancellationToken);
            if (total > _maxRows)
            {
                throw new BadQueryException($"A shared view shows at most {_maxRows} rows: narrow the date range or the filters.");
            }
            tables[mask] = cells.Select(c => new BreakdownCell(c.Dimensions, (long)c.Metrics[0], [(long)c.Metrics[0]])).ToList();
        }
        return BreakdownLattice.Withheld(query.Dimensions.Count, tables, k, new HashSet<string>());
    }
}
