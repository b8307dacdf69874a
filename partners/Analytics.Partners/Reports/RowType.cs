namespace Analytics.Partners.Reports;

/// <summary>The `row_type` column.</summary>
public enum RowType
{
    /// <summary>A cell with at least k visitors.</summary>
    Cell,

    /// <summary>Cells below k folded together; every dimension reads "(other)".</summary>
    Other,

    /// <summary>The period over all cells, shown or not; dimensions are empty.</summary>
    Total,
}
