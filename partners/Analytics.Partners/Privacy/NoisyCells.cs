using System.Numerics;
using Analytics.Partners.Reports;

namespace Analytics.Partners.Privacy;

/// <summary>
/// Turns bounded cells into a differentially private table: discrete Laplace or Gaussian noise (the report's mechanism) on every number of every cell,
/// then only cells whose noisy visitors reach the threshold are published. Everything after the noise is
/// post-processing (no further privacy cost): negative noisy metrics are shown as 0, and each period's total row is
/// the sum of its published cells (so visitors there counts a visitor once per cell). The number of cells left
/// out is not published: it depends on the data.
/// </summary>
public static class NoisyCells
{
    public static ReportTable Build(ReportQuery query, IReadOnlyList<AggregateRow> bounded, DpParameters parameters, IRandomSource random)
    {
        var columns = 1 + query.Metrics.Count;
        var visitorsNoise = parameters.VisitorsSampler(columns);
        var metricNoise = parameters.MetricSampler(columns);
        var rows = new List<ReportRow>();
        foreach (var (start, end) in query.Window.Periods(query.Granularity))
        {
            var published = new List<ReportRow>();
            // Noise is drawn for every cell, published or not, in a fixed order.
            foreach (var cell in bounded.Where(c => c.Period == start)
                         .OrderBy(c => string.Join('\u0001', c.Dimensions), StringComparer.Ordinal))
            {
                var visitors = cell.Visitors + ToLong(visitorsNoise(random));
                var metrics = cell.Metrics.Select(m => (long?)Math.Max(0, m + ToLong(metricNoise(random)))).ToList();
                if (visitors >= parameters.Threshold)
                {
                    published.Add(new ReportRow(start, end, RowType.Cell, cell.Dimensions, visitors, metrics, 0, 0));
                }
            }
            rows.AddRange(published.OrderByDescending(r => r.Visitors).ThenBy(r => string.Join('\u0001', r.Dimensions), StringComparer.Ordinal));
            var empty = query.Dimensions.Select(_ => "").ToList();
            var totals = Enumerable.Range(0, query.Metrics.Count).Select(i => (long?)published.Sum(r => r.Metrics[i] ?? 0)).ToList();
            rows.Add(new ReportRow(start, end, RowType.Total, empty, published.Sum(r => r.Visitors ?? 0), totals, 0, 0));
        }
        return new ReportTable(query, 0, rows) { Privacy = parameters };
    }

    /// <summary>Sum of noise draws can exceed a long only with absurd parameters; a checked conversion says so rather than wrapping.</summary>
    private static long ToLong(BigInteger value) => checked((long)value);
}
