using System.Numerics;
using Analytics.Pipeline.Privacy;

namespace Analytics.Partners.Reports;

/// <summary>
/// A report's breakdown and every coarser one a report can show: each subset of its dimensions that keeps `site`
/// (every report has it), and none at all (the total row), per period. Any of them may be published, by a total row or by another report
/// of the same partner over the same sites, filters and window. Each is withheld as its own report would be,
/// coarsest first: its known sums are the coarser breakdowns' published cells, and the coarser breakdowns' withheld
/// cells are protected. So no combination of these reports gives a withheld cell of any of them exactly.
/// </summary>
internal sealed class BreakdownLattice
{
    private const char Separator = '\u001f';

    private readonly ReportQuery _query;
    private readonly int _k;
    private readonly Dictionary<int, IReadOnlyList<AggregateRow>> _tables;

    private BreakdownLattice(ReportQuery query, int k, Dictionary<int, IReadOnlyList<AggregateRow>> tables)
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
    public static async Task<BreakdownLattice> ReadAsync(IAggregateSource source, ReportQuery query, int k, CancellationToken cancellationToken)
    {
        var full = (1 << query.Dimensions.Count) - 1;
        var tables = new Dictionary<int, IReadOnlyList<AggregateRow>>
        {
            [full] = await source.RowsAsync(query, cancellationToken),
            [0] = await source.TotalsAsync(query, null, cancellationToken),
        };
        foreach (var mask in Shapes(query).Where(m => m != 0 && m != full))
        {
            tables[mask] = await source.RowsAsync(query with { Dimensions = Positions(mask).Select(p => query.Dimensions[p]).ToList() }, cancellationToken);
        }
        return new BreakdownLattice(query, k, tables);
    }

    /// <summary>
    /// The keys (<see cref="KeyOf"/>) of the report's cells withheld in <paramref name="period"/>;
    /// <paramref name="alsoWithheld"/> are keys withheld by an earlier run, withheld again.
    /// </summary>
    public IReadOnlySet<string> Withheld(DateOnly period, IReadOnlySet<string> alsoWithheld)
    {
        var withheldKeys = new Dictionary<int, HashSet<string>>();
        var published = new Dictionary<int, HashSet<string>>();
        HashSet<string> result = [];
        foreach (var mask in Shapes(_query).OrderBy(m => BitOperations.PopCount((uint)m)))
        {
            var cells = _tables[mask].Where(c => c.Period == period).OrderBy(Key, StringComparer.Ordinal).ToList();
            var known = new List<IReadOnlyList<int>>();
            var protect = new List<IReadOnlyList<int>>();
            foreach (var sub in Shapes(_query).Where(s => s != mask && (s & mask) == s))
            {
                foreach (var line in cells.Select((c, i) => (Key: Project(c, mask, sub), Index: i)).GroupBy(x => x.Key, StringComparer.Ordinal))
                {
                    var indices = line.Select(x => x.Index).ToList();
                    if (withheldKeys[sub].Contains(line.Key))
                    {
                        protect.Add(indices);
                    }
                    else if (published[sub].Contains(line.Key))
                    {
                        known.Add(indices);
                    }
                }
            }
            var hidden = ComplementarySuppression.Withhold(new SuppressionProblem
            {
                Visitors = cells.Select(c => c.Visitors).ToList(),
                Values = cells.Select(c => (IReadOnlyList<long>)c.Metrics.Prepend(c.Visitors).ToList()).ToList(),
                K = _k,
                KnownSums = known,
                ProtectedSums = protect,
                AlsoWithheld = mask == Full ? cells.Select((c, i) => (c, i)).Where(x => alsoWithheld.Contains(KeyOf(x.c))).Select(x => x.i).ToList() : [],
            });
            withheldKeys[mask] = cells.Where((_, i) => hidden[i]).Select(Key).ToHashSet(StringComparer.Ordinal);
            published[mask] = cells.Where((_, i) => !hidden[i]).Select(Key).ToHashSet(StringComparer.Ordinal);
            if (mask == Full)
            {
                result = cells.Where((_, i) => hidden[i]).Select(KeyOf).ToHashSet(StringComparer.Ordinal);
            }
        }
        return result;
    }

    /// <summary>A cell's identity across runs: its period and dimension values.</summary>
    public static string KeyOf(AggregateRow cell) => ReportWindow.Format(cell.Period) + Separator + Key(cell);

    private static string Key(AggregateRow cell) => string.Join(Separator, cell.Dimensions);

    /// <summary>The values of <paramref name="cell"/> (a cell of breakdown <paramref name="mask"/>) on the dimensions of <paramref name="sub"/>.</summary>
    private static string Project(AggregateRow cell, int mask, int sub) =>
        string.Join(Separator, Positions(mask).Select((p, i) => (p, i)).Where(x => (sub & (1 << x.p)) != 0).Select(x => cell.Dimensions[x.i]));

    /// <summary>The breakdowns a report can show: masks over the query's dimensions that hold site (position 0), and the empty one.</summary>
    private static IEnumerable<int> Shapes(ReportQuery query)
    {
        var full = (1 << query.Dimensions.Count) - 1;
        var siteFirst = query.Dimensions.Count > 0 && query.Dimensions[0] == ReportCatalog.Site;
        return Enumerable.Range(0, full + 1).Where(m => m == 0 || !siteFirst || (m & 1) != 0);
    }

    private static IEnumerable<int> Positions(int mask) => Enumerable.Range(0, 31).Where(p => (mask & (1 << p)) != 0);
}
