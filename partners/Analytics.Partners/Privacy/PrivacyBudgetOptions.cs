namespace Analytics.Partners.Privacy;

/// <summary>What a partner's differentially private reports may spend in total on one window.</summary>
public sealed record PrivacyBudgetOptions
{
    /// <summary>Total ε over all runs of all DP reports of the partner for one window; 0 refuses every DP report.</summary>
    public decimal Epsilon { get; init; }

    /// <summary>Total δ over the same runs.</summary>
    public decimal Delta { get; init; }
}
