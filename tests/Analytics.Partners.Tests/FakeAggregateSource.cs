using Analytics.Partners.Reports;

namespace Analytics.Partners.Tests;

/// <summary>
/// Constructed cells. Each cell's visitors are taken as distinct from every other cell's, so a total is the
/// plain sum: what a real rollup gives when no visitor is in two cells.
/// </summary>
public sealed class FakeAggregateSource : IAggregateSource
{
    public List<AggregateRow> Cells { get; } = [];

    /// <summary>The dimensions the cells' values are for, in order; a query for fewer of them gets the cells summed by those.</summary>
    public IReadOnlyList<string> Names { get; init; } = ["site", "country"];

    /// <summary>How many times the report's own cells were read (one per generated report; coarser breakdowns not counted).</summary>
    public int Reads { get; private set; }

    /// <summary>Reads that fail before reads succeed again (storage down, then back).</summary>
    public int FailingReads { get; set; }

    public FakeAggregateSource Add(DateOnly period, long visitors, long pageviews, params string[] dimensions)
    {
        Cells.Add(new AggregateRow(period, dimensions, visitors, [pageviews]));
        return this;
    }

    public Task<IReadOnlyList<AggregateRow>> RowsAsync(ReportQuery query, CancellationToken cancellationToken)
    {
        var inWindow = Cells.Where(c => c.Period >= query.Window.From && c.Period <= query.Window.To).ToList();
        if (query.Dimensions.SequenceEqual(Names))
        {
            Reads++;
            if (FailingReads > 0)
            {
                FailingReads--;
                throw new InvalidOperationException("storage is down");
            }
            return Task.FromResult<IReadOnlyList<AggregateRow>>(inWindow);
        }
        var positions = query.Dimensions.Select(d => Names.ToList().IndexOf(d)).ToList();
        var coarser = inWindow
            .GroupBy(c => (c.Period, Key: string.Join('\u001f', positions.Select(p => c.Dimensions[p]))))
            .Select(g => new AggregateRow(g.Key.Period, positions.Select(p => g.First().Dimensions[p]).ToList(), g.Sum(c => c.Visitors),
                Enumerable.Range(0, query.Metrics.Count).Select(i => g.Sum(c => c.Metrics[i])).ToList()))
            .ToList();
        return Task.FromResult<IReadOnlyList<AggregateRow>>(coarser);
    }

    public Task<IReadOnlyList<AggregateRow>> TotalsAsync(ReportQuery query, IReadOnlyList<AggregateRow>? onlyCells, CancellationToken cancellationToken)
    {
        var cells = (onlyCells ?? Cells).Where(c => c.Period >= query.Window.From && c.Period <= query.Window.To);
        var totals = cells.GroupBy(c => c.Period)
            .Select(g => new AggregateRow(g.Key, [], g.Sum(c => c.Visitors),
                Enumerable.Range(0, query.Metrics.Count).Select(i => g.Sum(c => c.Metrics[i])).ToList()))
            .ToList();
        return Task.FromResult<IReadOnlyList<AggregateRow>>(totals);
    }
}
