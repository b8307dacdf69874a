using System.Numerics;

namespace Analytics.Pipeline.Privacy;

/// <summary>
/// A breakdown and the coarser ones a reader may also see: each a subset of its dimensions (a bit mask over their
/// positions; 0 is the total). Each is withheld as its own publication would be, coarsest first: its known sums are
/// the coarser breakdowns' published cells, and the coarser breakdowns' withheld cells are protected sums. So no
/// combination of these breakdowns gives a withheld cell of any of them exactly. Deterministic: the same tables
/// always withhold the same cells.
/// </summary>
public static class BreakdownLattice
{
    private const char Separator = '\u001f';

    /// <summary>A cell's dimension values as one string.</summary>
    public static string Key(IReadOnlyList<string> dimensions) => string.Join(Separator, dimensions);

    /// <param name="dimensions">How many dimensions the full breakdown has.</param>
    /// <param name="tables">Per publishable breakdown (mask), its cells; the full mask must be there.</param>
    /// <param name="k">The least distinct visitors of a published cell.</param>
    /// <param name="alsoWithheld">Keys (<see cref="Key"/>) of full-breakdown cells to withhold whatever their size.</param>
    /// <returns>Keys of the full breakdown's withheld cells.</returns>
    public static IReadOnlySet<string> Withheld(int dimensions, IReadOnlyDictionary<int, IReadOnlyList<BreakdownCell>> tables, int k, IReadOnlySet<string> alsoWithheld)
    {
        ArgumentNullException.ThrowIfNull(tables);
        ArgumentNullException.ThrowIfNull(alsoWithheld);
        var full = (1 << dimensions) - 1;
        var withheld = new Dictionary<int, HashSet<string>>();
        var published = new Dictionary<int, HashSet<string>>();
        foreach (var mask in tables.Keys.OrderBy(m => BitOperations.PopCount((uint)m)).ThenBy(m => m))
        {
            var cells = tables[mask].OrderBy(c => Key(c.Dimensions), StringComparer.Ordinal).ToList();
            var known = new List<IReadOnlyList<int>>();
            var protect = new List<IReadOnlyList<int>>();
            foreach (var sub in tables.Keys.Where(s => s != mask && (s & mask) == s))
            {
                foreach (var line in cells.Select((c, i) => (Key: Project(c, mask, sub), Index: i)).GroupBy(x => x.Key, StringComparer.Ordinal))
                {
                    var indices = line.Select(x => x.Index).ToList();
                    if (withheld[sub].Contains(line.Key))
                    {
                        protect.Add(indices);
                    }
                    else if (published[sub].Contains(line.Key))
                    {
                        known.Add(indices);
                    }
                }
                known.AddRange(Residuals(cells, mask, sub, tables.Keys, withheld, published));
            }
            var hidden = ComplementarySuppression.Withhold(new SuppressionProblem
            {
                Visitors = cells.Select(c => c.Visitors).ToList(),
                Values = cells.Select(c => c.Values).ToList(),
                K = k,
                KnownSums = known,
                ProtectedSums = protect,
                AlsoWithheld = mask == full ? cells.Select((c, i) => (c, i)).Where(x => alsoWithheld.Contains(Key(x.c.Dimensions))).Select(x => x.i).ToList() : [],
            });
            withheld[mask] = cells.Where((_, i) => hidden[i]).Select(c => Key(c.Dimensions)).ToHashSet(StringComparer.Ordinal);
            published[mask] = cells.Where((_, i) => !hidden[i]).Select(c => Key(c.Dimensions)).ToHashSet(StringComparer.Ordinal);
        }
        return withheld.TryGetValue(full, out var result) ? result : new HashSet<string>(StringComparer.Ordinal);
    }

    /// <summary>
    /// Sums a reader gets by subtraction, listed so bounds see them too (they add nothing to the linear span): a
    /// published line of a breakdown coarser than <paramref name="sub"/> minus the published lines of
    /// <paramref name="sub"/> within it is the sum of <paramref name="sub"/>'s withheld lines there (an "(other)"
    /// row is one). A bound on a cell from such a sum and a published neighbour can pin it where no listed sum does.
    /// </summary>
    private static IEnumerable<IReadOnlyList<int>> Residuals(
        List<BreakdownCell> cells, int mask, int sub, IEnumerable<int> masks, Dictionary<int, HashSet<string>> withheld, Dictionary<int, HashSet<string>> published)
    {
        foreach (var coarser in masks.Where(c => c != sub && (c & sub) == c).ToList())
        {
            var lines = cells.Select((c, i) => (Line: Project(c, mask, coarser), Hidden: withheld[sub].Contains(Project(c, mask, sub)), Index: i))
                .Where(x => x.Hidden && published[coarser].Contains(x.Line))
                .GroupBy(x => x.Line, StringComparer.Ordinal);
            foreach (var line in lines)
            {
                yield return line.Select(x => x.Index).ToList();
            }
        }
    }

    /// <summary>All masks over <paramref name="dimensions"/> dimensions; with <paramref name="keepFirst"/>, only those holding the first, and the total.</summary>
    public static IEnumerable<int> Shapes(int dimensions, bool keepFirst) =>
        Enumerable.Range(0, 1 << dimensions).Where(m => m == 0 || !keepFirst || (m & 1) != 0);

    /// <summary>The dimension positions in <paramref name="mask"/>, in order.</summary>
    public static IEnumerable<int> Positions(int mask) => Enumerable.Range(0, 31).Where(p => (mask & (1 << p)) != 0);

    /// <summary>The values of <paramref name="cell"/> (a cell of breakdown <paramref name="mask"/>) on the dimensions of <paramref name="sub"/>.</summary>
    private static string Project(BreakdownCell cell, int mask, int sub) =>
        string.Join(Separator, Positions(mask).Select((p, i) => (p, i)).Where(x => (sub & (1 << x.p)) != 0).Select(x => cell.Dimensions[x.i]));
}
