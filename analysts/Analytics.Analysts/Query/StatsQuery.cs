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
