namespace Analytics.Pipeline.Privacy;

/// <summary>
/// What non-negativity tells a reader about unknown cells: each is at least 0, and each known sum bounds its cells
/// from above (the sum minus the others' least) and from below (the sum minus the others' most). Propagated until
/// nothing changes (capped; the cap only leaves bounds wider). A cell whose bounds meet is pinned exactly.
/// </summary>
internal static class IntervalBounds
{
    private const int MaxPasses = 200;

    /// <param name="unknown">Which cells the reader does not know.</param>
    /// <param name="sums">Known sums: the cells in each (known cells included) and its value.</param>
    /// <param name="value">A known cell's value.</param>
    public static (long[] Low, long[] High) Of(bool[] unknown, IReadOnlyList<(IReadOnlyList<int> Cells, long Value)> sums, Func<int, long> value)
    {
        var low = new long[unknown.Length];
        var high = Enumerable.Repeat(long.MaxValue, unknown.Length).ToArray();
        var rest = sums
            .Select(s => (Cells: s.Cells.Where(c => unknown[c]).ToArray(), Value: s.Value - s.Cells.Where(c => !unknown[c]).Sum(value)))
            .Where(s => s.Cells.Length > 0)
            .ToList();
        for (var (changed, pass) = (true, 0); changed && pass < MaxPasses; pass++)
        {
            changed = false;
            foreach (var (cells, total) in rest)
            {
                var sumLow = cells.Sum(c => low[c]);
                var unbounded = cells.Count(c => high[c] == long.MaxValue);
                var sumHigh = cells.Where(c => high[c] != long.MaxValue).Sum(c => high[c]);
                foreach (var c in cells)
                {
                    var newHigh = total - (sumLow - low[c]);
                    if (newHigh < high[c])
                    {
                        sumHigh = (high[c] == long.MaxValue ? sumHigh : sumHigh - high[c]) + newHigh;
                        unbounded -= high[c] == long.MaxValue ? 1 : 0;
                        high[c] = newHigh;
                        changed = true;
                    }
                    if (unbounded == 0)
                    {
                        var newLow = total - (sumHigh - high[c]);
                        if (newLow > low[c])
                        {
                            sumLow += newLow - low[c];
                            low[c] = newLow;
                            changed = true;
                        }
                    }
                }
            }
        }
        return (low, high);
    }
}
