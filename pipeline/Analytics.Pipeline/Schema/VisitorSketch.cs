namespace Analytics.Pipeline.Schema;

/// <summary>
/// How visitors are counted wherever a query counts them (schema/0012_exact_visitors.sql): the rollups
/// hold <c>uniqCombined64(19)</c> states in <c>visitors_exact</c>, and the raw paths count with the same
/// function, so a rollup and raw hits give the same answer. Exact up to 16,384 visitors (a set of 64-bit
/// hashes), then a HyperLogLog of 2^19 registers (about 0.14% standard error).
/// </summary>
public static class VisitorSketch
{
    /// <summary>The rollups' column holding the visitor states.</summary>
    public const string Column = "visitors_exact";

    /// <summary>The column filled before schema 0012 (<c>uniqCombined(12)</c>), kept with those rows.</summary>
    public const string OldColumn = "visitors_sketch";

    /// <summary>Up to this many visitors every count is exact (the state is still a set of hashes).</summary>
    public const long ExactUpTo = 16_384;

    /// <summary>
    /// Visitors from a rollup's states: <see cref="Column"/>, or where it holds nothing (rows from before
    /// 0012 that the raw retention no longer covered when it ran) the older estimate.
    /// </summary>
    public static string Merge { get; } = MergeOf(Column, OldColumn);

    /// <summary>As <see cref="Merge"/>, with the two columns read as <paramref name="column"/> and <paramref name="oldColumn"/>.</summary>
    public static string MergeOf(string column, string oldColumn) => $"if({MergeOf(column)} > 0, {MergeOf(column)}, uniqCombinedMerge(12)({oldColumn}))";

    /// <summary>Visitors from states read as <paramref name="column"/>.</summary>
    public static string MergeOf(string column) => $"uniqCombined64Merge(19)({column})";

    /// <summary>Visitors from the states read as <paramref name="column"/> in the rows where <paramref name="condition"/> holds.</summary>
    public static string MergeIf(string column, string condition) => $"uniqCombined64MergeIf(19)({column}, {condition})";

    /// <summary>Visitors counted from raw rows by <paramref name="key"/>.</summary>
    public static string Count(string key) => $"uniqCombined64(19)({key})";

    /// <summary>Visitors counted from the raw rows where <paramref name="condition"/> holds.</summary>
    public static string CountIf(string key, string condition) => $"uniqCombined64If(19)({key}, {condition})";
}
