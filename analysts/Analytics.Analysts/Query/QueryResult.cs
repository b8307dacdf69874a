namespace Analytics.Analysts.Query;

/// <summary>The answer to a <see cref="StatsQuery"/>: rows in order, and how many rows there are in all.</summary>
public sealed record QueryResult(StatsQuery Query, IReadOnlyList<ResultRow> Rows, long TotalRows, DateRange? ComparisonRange);

/// <summary>One row: dimension values (in the query's order) and metric values (likewise).</summary>
public sealed record ResultRow(IReadOnlyList<string> Dimensions, IReadOnlyList<double> Metrics)
{
    /// <summary>The same row in the comparison period, when one was asked for.</summary>
    public ComparedRow? Comparison { get; init; }
}

/// <summary>
/// A row of the comparison period and the change to it: percent for counts, points for bounce rate;
/// null when the earlier value is zero and the later one is not.
/// </summary>
public sealed record ComparedRow(IReadOnlyList<string> Dimensions, IReadOnlyList<double> Metrics, IReadOnlyList<double?> Change);
