namespace Analytics.Partners.Reports;

/// <summary>
/// One aggregate cell as storage returns it: a period, the values of the query's dimensions, its distinct
/// visitors and the query's other metrics, in order. There is no field that could hold a visitor ID.
/// </summary>
public sealed record AggregateRow(DateOnly Period, IReadOnlyList<string> Dimensions, long Visitors, IReadOnlyList<long> Metrics);
