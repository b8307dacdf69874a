namespace Analytics.Pipeline.Privacy;

/// <summary>
/// Small-cell suppression that survives arithmetic. A cell with fewer than k visitors is withheld (primary);
/// then more cells are withheld (complementary), smallest first, until no withheld cell, and no protected sum,
/// can be computed exactly from the published cells and the known sums:
/// <list type="number">
/// <item>no known sum holds exactly one withheld cell (total minus the others would give it), counting, for each
///   measure, only cells not known to be zero in it (a known sum of zero says each of its cells is zero);</item>
/// <item>for every measure, the withheld cells of a known sum do not add up to zero while the sum is not zero
///   (non-negativity would pin each of them at zero);</item>
/// <item>no withheld cell or protected sum lies in the linear span of the known sums restricted to the withheld
///   cells (checked exactly, in integers), unless the known sums alone already give it: that is no publication
///   of this table's doing, and the report that shows those sums protects them.</item>
/// <item>no withheld cell is pinned exactly by bounds (each cell at least zero, each known sum capping its cells),
///   propagated as <see cref="IntervalBounds"/> does.</item>
/// </list>
/// Each round withholds at least one more cell, so it ends; the choice depends on the table only, so the same
/// data always gives the same cells.
/// </summary>
public static class ComplementarySuppression
{
    /// <summary>Which cells to withhold: true at the index of each withheld cell.</summary>
    public static bool[] Withhold(SuppressionProblem problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        var count = problem.Visitors.Count;
        var hidden = new bool[count];
        for (var i = 0; i < count; i++)
        {
            hidden[i] = problem.Visitors[i] < problem.K;
        }
        foreach (var i in problem.AlsoWithheld)
        {
            if (i >= 0 && i < count)
            {
                hidden[i] = true;
            }
        }
        var fromKnownAlone = new LinearSpan();
        // Smallest first: a total over many cells then reduces to little against the lines it is the sum of.
        foreach (var sum in problem.KnownSums.OrderBy(s => s.Count))
        {
            fromKnownAlone.Add(sum);
        }
        var zeros = KnownZeros(problem, fromKnownAlone);
        // A protected single cell is checked as a cell; one the known sums give alone is none of this table's doing.
        var protectedSums = problem.ProtectedSums.Where(t => t.Count > 1 && !fromKnownAlone.Contains(t)).ToList();
        // Only needed once some cell is pinned, which is rare; bounds over every cell are the costliest step.
        var pinnedByKnownAlone = new Lazy<bool[]>(() => Pinned(problem, Enumerable.Repeat(true, count).ToArray()));
        while (HideLoneCells(problem, hidden, zeros) || HideZeroSums(problem, hidden, zeros) || HideDerivable(problem, hidden, zeros, fromKnownAlone, protectedSums)
               || HidePinned(problem, hidden, pinnedByKnownAlone))
        {
        }
        return hidden;
    }

    /// <summary>Withholds one more cell where bounds pin a withheld cell exactly in some measure.</summary>
    private static bool HidePinned(SuppressionProblem problem, bool[] hidden, Lazy<bool[]> pinnedByKnownAlone)
    {
        var pinned = Pinned(problem, hidden);
        for (var c = 0; c < hidden.Length; c++)
        {
            if (!pinned[c] || pinnedByKnownAlone.Value[c])
            {
                continue;
            }
            var touching = problem.KnownSums.Where(s => s.Contains(c)).SelectMany(s => s);
            var anywhere = problem.KnownSums.Where(s => s.Any(x => hidden[x])).SelectMany(s => s);
            if ((Smallest(problem, hidden, touching) ?? Smallest(problem, hidden, anywhere)) is { } complement)
            {
                hidden[complement] = true;
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// Cells among <paramref name="unknown"/> whose bounds meet in some measure, other than at a zero a known sum
    /// of zero states outright.
    /// </summary>
    private static bool[] Pinned(SuppressionProblem problem, bool[] unknown)
    {
        var pinned = new bool[unknown.Length];
        var measures = problem.Values.Count == 0 ? 0 : problem.Values[0].Count;
        for (var m = 0; m < measures; m++)
        {
            var sums = problem.KnownSums.Select(s => (s, s.Sum(c => problem.Values[c][m]))).ToList();
            var (low, high) = IntervalBounds.Of(unknown, sums, c => problem.Values[c][m]);
            var saidOutright = new bool[unknown.Length];
            foreach (var (cells, _) in sums.Where(x => x.Item2 == 0))
            {
                foreach (var c in cells)
                {
                    saidOutright[c] = true;
                }
            }
            for (var c = 0; c < unknown.Length; c++)
            {
                pinned[c] |= unknown[c] && low[c] == high[c] && !saidOutright[c];
            }
        }
        return pinned;
    }

    /// <summary>
    /// Per measure, the cells a reader knows in it without this table's cells: those the known sums give alone, and
    /// those in a known sum that is zero (non-negative values adding up to nothing). Such a cell is as good as
    /// published for that measure, and no help as a complement. (One array per distinct pattern.)
    /// </summary>
    private static List<bool[]> KnownZeros(SuppressionProblem problem, LinearSpan fromKnownAlone)
    {
        var count = problem.Visitors.Count;
        var measures = problem.Values.Count == 0 ? 0 : problem.Values[0].Count;
        var given = Enumerable.Range(0, count).Select(fromKnownAlone.ContainsUnit).ToArray();
        var patterns = new List<bool[]> { given };
        for (var m = 0; m < measures; m++)
        {
            var zero = (bool[])given.Clone();
            foreach (var sum in problem.KnownSums)
            {
                if (sum.All(c => problem.Values[c][m] == 0))
                {
                    foreach (var c in sum)
                    {
                        zero[c] = true;
                    }
                }
            }
            if (!patterns.Any(p => p.AsSpan().SequenceEqual(zero)))
            {
                patterns.Add(zero);
            }
        }
        return patterns;
    }

    private static bool HideLoneCells(SuppressionProblem problem, bool[] hidden, List<bool[]> zeros)
    {
        var changed = false;
        foreach (var zero in zeros)
        {
            foreach (var sum in problem.KnownSums)
            {
                if (sum.Count(c => hidden[c] && !zero[c]) == 1 && Smallest(problem, hidden, sum.Where(c => !zero[c])) is { } complement)
                {
                    hidden[complement] = true;
                    changed = true;
                }
            }
        }
        foreach (var sum in problem.ProtectedSums)
        {
            if (sum.Count > 0 && !sum.Any(c => hidden[c]) && Smallest(problem, hidden, sum) is { } complement)
            {
                hidden[complement] = true;
                changed = true;
            }
        }
        return changed;
    }

    private static bool HideZeroSums(SuppressionProblem problem, bool[] hidden, List<bool[]> zeros)
    {
        var changed = false;
        var measures = problem.Values.Count == 0 ? 0 : problem.Values[0].Count;
        foreach (var sum in problem.KnownSums)
        {
            if (sum.Count(c => hidden[c]) < 2)
            {
                continue;
            }
            for (var m = 0; m < measures; m++)
            {
                if (sum.Where(c => hidden[c]).All(c => problem.Values[c][m] == 0)
                    && Smallest(problem, hidden, sum.Where(c => problem.Values[c][m] > 0)) is { } complement)
                {
                    hidden[complement] = true;
                    changed = true;
                }
            }
        }
        return changed;
    }

    private static bool HideDerivable(SuppressionProblem problem, bool[] hidden, List<bool[]> zeros, LinearSpan fromKnownAlone, List<IReadOnlyList<int>> protectedSums)
    {
        foreach (var zero in zeros)
        {
            var unknown = Enumerable.Range(0, hidden.Length).Select(c => hidden[c] && !zero[c]).ToArray();
            var known = new LinearSpan();
            foreach (var sum in problem.KnownSums.Select(s => s.Where(c => unknown[c]).ToList()).Where(s => s.Count > 0).OrderBy(s => s.Count))
            {
                known.Add(sum);
            }
            var cells = Enumerable.Range(0, hidden.Length).Where(c => unknown[c] && known.ContainsUnit(c) && !fromKnownAlone.ContainsUnit(c)).Select(c => (IReadOnlyList<int>)[c]);
            var sums = protectedSums.Where(t => known.Contains(t.Where(c => unknown[c])));
            foreach (var target in cells.Concat(sums))
            {
                // Withhold the smallest published cell that shares a known sum with the target, else any in a known sum.
                var touching = problem.KnownSums.Where(s => s.Any(target.Contains)).SelectMany(s => s).Where(c => !zero[c]);
                var anywhere = problem.KnownSums.Where(s => s.Any(c => unknown[c])).SelectMany(s => s).Where(c => !zero[c]);
                if ((Smallest(problem, hidden, touching) ?? Smallest(problem, hidden, anywhere)) is { } complement)
                {
                    hidden[complement] = true;
                    return true;
                }
            }
        }
        return false;
    }

    /// <summary>The published cell among <paramref name="cells"/> with the fewest visitors, then the smallest values, then the first.</summary>
    private static int? Smallest(SuppressionProblem problem, bool[] hidden, IEnumerable<int> cells)
    {
        int? best = null;
        foreach (var c in cells)
        {
            if (hidden[c])
            {
                continue;
            }
            if (best is not { } b || Compare(problem, c, b) < 0)
            {
                best = c;
            }
        }
        return best;
    }

    private static int Compare(SuppressionProblem problem, int a, int b)
    {
        var byVisitors = problem.Visitors[a].CompareTo(problem.Visitors[b]);
        if (byVisitors != 0)
        {
            return byVisitors;
        }
        var byValues = problem.Values[a].Sum().CompareTo(problem.Values[b].Sum());
        return byValues != 0 ? byValues : a.CompareTo(b);
    }
}
