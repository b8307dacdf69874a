namespace Analytics.Pipeline.Schema;

/// <summary>
/// How visitors are counted wherever a query counts them (schema/0008_visitor_sketches.sql): the rollups
/// hold <c>uniqCombined(12)</c> states in <c>visitors_sketch</c>, and the raw paths count with the same
/// function, so a rollup and raw hits give the same answer. Exact up to a few hundred visitors, then a
/// HyperLogLog of 4,096 registers (about 1.6% standard error).
/// </summary>
public static class VisitorSketch
{
    /// <summary>The rollups' column holding the sketch.</summary>
    public const string Column = "visitors_sketch";

    /// <summary>Visitors from a rollup's sketch column.</summary>
    public static string Merge { get; } = MergeOf(Column);

    /// <summary>Visitors from sketches read as <paramref name="column"/>.</summary>
    public static string MergeOf(string column) => $"uniqCombinedMerge(12)({column})";

    /// <summary>Visitors counted from raw rows by <paramref name="key"/>.</summary>
    public static string Count(string key) => $"uniqCombined(12)({key})";

    /// <summary>Visitors counted from the raw rows where <paramref name="condition"/> holds.</summary>
    public static string CountIf(string key, string condition) => $"uniqCombinedIf(12)({key}, {condition})";
}
