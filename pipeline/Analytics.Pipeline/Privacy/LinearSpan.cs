using System.Numerics;

namespace Analytics.Pipeline.Privacy;

/// <summary>
/// The span of a set of sums, in exact integer arithmetic: answers whether a sum can be written as a linear
/// combination of the sums added so far, which is exactly when a reader who knows their values can compute it.
/// Rows are sparse (column -> coefficient) and kept in reduced echelon form: each under its own leading column,
/// which no other row has. So a single cell is in the span exactly when its column leads a row holding nothing
/// else, a check that costs nothing.
/// </summary>
internal sealed class LinearSpan
{
    private readonly Dictionary<int, SortedDictionary<int, BigInteger>> _pivots = [];

    public void Add(IEnumerable<int> columns)
    {
        var row = Reduce(Row(columns));
        if (row.Count == 0)
        {
            return;
        }
        foreach (var column in row.Keys.Skip(1).Where(_pivots.ContainsKey).ToList())
        {
            row = Eliminate(row, _pivots[column], column);
        }
        var lead = row.Keys.First();
        foreach (var pivot in _pivots.Keys.ToList())
        {
            if (_pivots[pivot].ContainsKey(lead))
            {
                _pivots[pivot] = Eliminate(_pivots[pivot], row, lead);
            }
        }
        _pivots[lead] = row;
    }

    public bool Contains(IEnumerable<int> columns) => Reduce(Row(columns)).Count == 0;

    /// <summary>Whether the single cell <paramref name="column"/> is in the span.</summary>
    public bool ContainsUnit(int column) => _pivots.TryGetValue(column, out var row) && row.Count == 1;

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
            var lead = row.Keys.First();
            if (!_pivots.TryGetValue(lead, out var pivot))
            {
                return row;
            }
            row = Eliminate(row, pivot, lead);
        }
        return row;
    }

    /// <summary>
    /// Zeroes <paramref name="row"/> at <paramref name="column"/> with <paramref name="pivot"/>: in place when the
    /// pivot's coefficient there is 1 or -1 (the common case with sums of cells), else row times that coefficient
    /// less the pivot times the row's, divided by the common factor. Either keeps the row's span membership.
    /// </summary>
    private static SortedDictionary<int, BigInteger> Eliminate(SortedDictionary<int, BigInteger> row, SortedDictionary<int, BigInteger> pivot, int column)
    {
        var a = pivot[column];
        var b = row[column];
        if (BigInteger.Abs(a).IsOne)
        {
            var factor = b * a;
            foreach (var (c, value) in pivot)
            {
                var v = (row.TryGetValue(c, out var existing) ? existing : BigInteger.Zero) - (factor * value);
                if (v.IsZero)
                {
                    row.Remove(c);
                }
                else
                {
                    row[c] = v;
                }
            }
            return row;
        }
        var next = new SortedDictionary<int, BigInteger>();
        foreach (var (c, value) in row)
        {
            next[c] = a * value;
        }
        foreach (var (c, value) in pivot)
        {
            var v = (next.TryGetValue(c, out var existing) ? existing : BigInteger.Zero) - (b * value);
            if (v.IsZero)
            {
                next.Remove(c);
            }
            else
            {
                next[c] = v;
            }
        }
        var gcd = BigInteger.Zero;
        foreach (var value in next.Values)
        {
            gcd = BigInteger.GreatestCommonDivisor(gcd, value);
        }
        if (gcd > BigInteger.One)
        {
            foreach (var c in next.Keys.ToList())
            {
                next[c] /= gcd;
            }
        }
        return next;
    }
}
