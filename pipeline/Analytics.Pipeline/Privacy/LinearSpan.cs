using System.Numerics;

namespace Analytics.Pipeline.Privacy;

/// <summary>
/// The span of a set of sums, in exact integer arithmetic: answers whether a sum can be written as a linear
/// combination of the sums added so far, which is exactly when a reader who knows their values can compute it.
/// Rows are sparse (column -> coefficient) and kept in echelon form, each under its own leading column.
/// </summary>
internal sealed class LinearSpan
{
    private readonly Dictionary<int, SortedDictionary<int, BigInteger>> _pivots = [];

    public void Add(IEnumerable<int> columns)
    {
        var row = Reduce(Row(columns));
        if (row.Count > 0)
        {
            _pivots[row.Keys.First()] = row;
        }
    }

    public bool Contains(IEnumerable<int> columns) => Reduce(Row(columns)).Count == 0;

    private static SortedDictionary<int, BigInteger> Row(IEnumerable<int> columns)
    {
        var row = new SortedDictionary<int, BigInteger>();
        foreach (var column in columns)
        {
            row[column] = row.TryGetValue(column, out var c) ? c + 1 : BigInteger.One;
        }
        return row;
    }

    /// <summary>
    /// Eliminates the leading column while a row leads with it. Every nonzero combination of the rows leads with
    /// one of their (distinct) leading columns, so a remainder that leads elsewhere is not in the span.
    /// </summary>
    private SortedDictionary<int, BigInteger> Reduce(SortedDictionary<int, BigInteger> row)
    {
        while (row.Count > 0)
        {
            var (lead, b) = row.First();
            if (!_pivots.TryGetValue(lead, out var pivot))
            {
                return row;
            }
            var a = pivot[lead];
            var next = new SortedDictionary<int, BigInteger>();
            foreach (var (column, value) in row)
            {
                next[column] = a * value;
            }
            foreach (var (column, value) in pivot)
            {
                var v = (next.TryGetValue(column, out var c) ? c : BigInteger.Zero) - (b * value);
                if (v.IsZero)
                {
                    next.Remove(column);
                }
                else
                {
                    next[column] = v;
                }
            }
            var gcd = BigInteger.Zero;
            foreach (var value in next.Values)
            {
                gcd = BigInteger.GreatestCommonDivisor(gcd, value);
            }
            if (gcd > BigInteger.One)
            {
                foreach (var column in next.Keys.ToList())
                {
                    next[column] /= gcd;
                }
            }
            row = next;
        }
        return row;
    }
}
