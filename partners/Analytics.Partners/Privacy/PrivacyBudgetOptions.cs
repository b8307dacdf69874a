namespace Analytics.Partners.Privacy;

/// <summary>What a partner's differentially private reports may spend in total on the data of one calendar month (<see cref="BudgetPeriods"/>).</summary>
public sealed record PrivacyBudgetOptions
{
    /// <summary>Total ε over all runs of all DP reports of the partner whose windows cover one calendar month; 0 refuses every DP report.</summary>
    public decimal Epsilon { get; init; }

    /// <summary>Total δ over the same runs.</summary>
    public decimal Delta { get; init; }
}
