using System.Numerics;

namespace Analytics.Partners.Tests.Reports;

/// <summary>
/// A reader who takes every published number as an equation over unknown non-negative atoms (the finest cells,
/// which no report shows) and tries to pin a withheld sum exactly: by linear algebra (exact, in integers:
/// the sum lies in the row space of the published equations) and by bounds (each atom between 0 and what the
/// equations leave, propagated until nothing changes). Written apart from the product's solver on purpose.
/// </summary>
public sealed class LinearAdversary(int atoms, int measures)
{
    private readonly List<(bool[] Atoms, long[] Values)> _equations = [];

    public void Publish(bool[] atoms, long[] values) => _equations.Add((atoms, values));

    /// <summary>True when the published equations give the sum over <paramref name="target"/> exactly.</summary>
    public bool Solves(bool[] target) => Rank(_equations.Select(e => e.Atoms)) == Rank(_equations.Select(e => e.Atoms).Append(target));

    /// <summary>
    /// For each measure, the value of the sum over <paramref name="target"/> when bounds pin it (lowest equals highest),
    /// else null. A sum pinned at zero only because a published row containing it reads zero is not counted: that row
    /// says it outright.
    /// </summary>
    public long?[] Pinned(bool[] target)
    {
        var pinned = new long?[measures];
        for (var m = 0; m < measures; m++)
        {
            var (lo, hi) = Bounds(m);
            long low = 0, high = 0;
            for (var a = 0; a < atoms; a++)
            {
                if (target[a])
                {
                    low += lo[a];
                    high = hi[a] == long.MaxValue || high == long.MaxValue ? long.MaxValue : high + hi[a];
                }
            }
            var saidOutright = low == 0 && _equations.Any(e => e.Values[m] == 0 && Enumerable.Range(0, atoms).All(a => !target[a] || e.Atoms[a]));
            pinned[m] = low == high && !saidOutright ? low : null;
        }
        return pinned;
    }

    private (long[] Lo, long[] Hi) Bounds(int measure)
    {
        var lo = new long[atoms];
        var hi = Enumerable.Repeat(long.MaxValue, atoms).ToArray();
        // Capped: bounds can creep down by one per pass around a cycle; the cap only makes this reader weaker.
        for (var (changed, pass) = (true, 0); changed && pass < 500; pass++)
        {
            changed = false;
            foreach (var (set, values) in _equations)
            {
                var value = values[measure];
                var members = Enumerable.Range(0, atoms).Where(a => set[a]).ToList();
                var sumLo = members.Sum(a => lo[a]);
                var unbounded = members.Count(a => hi[a] == long.MaxValue);
                var sumHi = members.Where(a => hi[a] != long.MaxValue).Sum(a => hi[a]);
                foreach (var a in members)
                {
                    var newHi = value - (sumLo - lo[a]);
                    if (newHi < hi[a])
                    {
                        hi[a] = newHi;
                        changed = true;
                    }
                    var othersUnbounded = unbounded - (hi[a] == long.MaxValue ? 1 : 0);
                    if (othersUnbounded == 0)
                    {
                        var newLo = value - (sumHi - (hi[a] == long.MaxValue ? 0 : hi[a]));
                        if (newLo > lo[a])
                        {
                            lo[a] = newLo;
                            changed = true;
                        }
                    }
                }
            }
        }
        return (lo, hi);
    }

    /// <summary>Rank by fraction-free Gaussian elimination on integer rows.</summary>
    private int Rank(IEnumerable<bool[]> rows)
    {
        var matrix = rows.Select(r => r.Select(x => x ? BigInteger.One : BigInteger.Zero).ToArray()).ToList();
        var rank = 0;
        for (var column = 0; column < atoms && rank < matrix.Count; column++)
        {
            var pivot = matrix.FindIndex(rank, r => !r[column].IsZero);
            if (pivot < 0)
            {
                continue;
            }
            (matrix[rank], matrix[pivot]) = (matrix[pivot], matrix[rank]);
            var p = matrix[rank];
            for (var r = rank + 1; r < matrix.Count; r++)
            {
                var row = matrix[r];
                if (row[column].IsZero)
                {
                    continue;
                }
                var factor = row[column];
                var gcd = BigInteger.Zero;
                for (var c = 0; c < atoms; c++)
                {
                    row[c] = (row[c] * p[column]) - (p[c] * factor);
                    gcd = BigInteger.GreatestCommonDivisor(gcd, row[c]);
                }
                if (gcd > BigInteger.One)
                {
                    for (var c = 0; c < atoms; c++)
                    {
                        row[c] /= gcd;
                    }
                }
            }
            rank++;
        }
        return rank;
    }
}
