namespace Analytics.Pipeline.Privacy;

/// <summary>
/// A table about to be published, cell by cell: each cell's distinct visitors and its additive values (visitors
/// included), the sums over sets of cells a reader may know from elsewhere, and the sums that must stay unknown.
/// Cells are identified by their index; callers list them in a stable order, so the same table always gets the
/// same answer.
/// </summary>
public sealed record SuppressionProblem
{
    /// <summary>Distinct visitors per cell: a cell below <see cref="K"/> is withheld.</summary>
    public required IReadOnlyList<long> Visitors { get; init; }

    /// <summary>Per cell, every additive measure published for it (all cells have the same count).</summary>
    public required IReadOnlyList<IReadOnlyList<long>> Values { get; init; }

    public required int K { get; init; }

    /// <summary>
    /// Sums (cell index lists) a reader may know: a total row, a subtotal another report or view shows. Each is
    /// the same sum for every measure.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<int>> KnownSums { get; init; } = [];

    /// <summary>Sums that are withheld elsewhere (a coarser breakdown's withheld cells) and must not become derivable here.</summary>
    public IReadOnlyList<IReadOnlyList<int>> ProtectedSums { get; init; } = [];

    /// <summary>Cells withheld whatever their size (withheld in an earlier publication of the same data).</summary>
    public IReadOnlyCollection<int> AlsoWithheld { get; init; } = [];
}
