namespace Analytics.Pipeline.Privacy;

/// <summary>One cell of a breakdown: its dimension values (in the breakdown's order), distinct visitors and additive values (visitors first).</summary>
public sealed record BreakdownCell(IReadOnlyList<string> Dimensions, long Visitors, IReadOnlyList<long> Values);
