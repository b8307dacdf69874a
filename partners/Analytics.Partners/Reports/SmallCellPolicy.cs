namespace Analytics.Partners.Reports;

/// <summary>What happens to a row whose visitor count is below k.</summary>
public enum SmallCellPolicy
{
    /// <summary>The row is left out; the period's total row says how many rows were.</summary>
    Suppress,

    /// <summary>The rows are merged into one "(other)" row, itself withheld if still below k.</summary>
    FoldIntoOther,
}
