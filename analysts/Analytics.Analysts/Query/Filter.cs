namespace Analytics.Analysts.Query;

/// <summary>A filter tree: conditions on dimensions combined with and/or/not. Values are data, never SQL.</summary>
public abstract record Filter
{
    /// <summary>Every condition in the tree, depth first.</summary>
    public abstract IEnumerable<Condition> Conditions();
}

/// <summary>How a condition compares a dimension with its values.</summary>
public enum FilterOperator
{
    /// <summary>Equal to one of the values.</summary>
    Is,

    /// <summary>Equal to none of the values.</summary>
    IsNot,

    /// <summary>Contains one of the values, ignoring case.</summary>
    Contains,

    /// <summary>Matches one of the values as an RE2 regular expression (linear time, bounded length).</summary>
    Matches,

    /// <summary>The dimension is a test (a saved goal's), and it holds; the values only name it.</summary>
    Holds,
}

public sealed record Condition(FilterOperator Operator, Dimension Dimension, IReadOnlyList<string> Values) : Filter
{
    public override IEnumerable<Condition> Conditions() => [this];
}

public sealed record AllOf(IReadOnlyList<Filter> Filters) : Filter
{
    public override IEnumerable<Condition> Conditions() => Filters.SelectMany(f => f.Conditions());
}

public sealed record AnyOf(IReadOnlyList<Filter> Filters) : Filter
{
    public override IEnumerable<Condition> Conditions() => Filters.SelectMany(f => f.Conditions());
}

public sealed record NotFilter(Filter Inner) : Filter
{
    public override IEnumerable<Condition> Conditions() => Inner.Conditions();
}
