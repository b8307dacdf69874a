namespace Analytics.Analysts.Query;

/// <summary>A validated query: every name is from the allow-lists, every limit checked.</summary>
public sealed record StatsQuery
{
    public required string SiteId { get; init; }

    public required TimeZoneInfo TimeZone { get; init; }

    public required DateRange Range { get; init; }

    public required IReadOnlyList<Metric> Metrics { get; init; }

    public IReadOnlyList<QueryDimension> Dimensions { get; init; } = [];

    public Filter? Filter { get; init; }

    public IReadOnlyList<OrderBy> OrderBy { get; init; } = [];

    public int Limit { get; init; } = 100;

    public int Offset { get; init; }

    public Comparison Comparison { get; init; } = Comparison.None;

    /// <summary>
    /// Set by the runner, never by a caller: every hit that the filter's hit-level part picks in the query's
    /// periods carries its visit's session_id (schema/0018), so those hits find their visits by it.
    /// </summary>
    public bool HitsCarryVisits { get; init; }

    public bool HasTimeDimension => Dimensions.Any(d => d.Grain is not null);
}

/// <summary>A requested dimension: a column from the allow-list or a time bucket.</summary>
public sealed record QueryDimension(string Name, Dimension? Column, TimeGrain? Grain);

/// <summary>Order of result rows by a requested metric or dimension.</summary>
public sealed record OrderBy(string Name, bool Descending);

/// <summary>The period a query is compared with.</summary>
public enum Comparison
{
    None,
    PreviousPeriod,
    YearOverYear,
}
