namespace Analytics.Partners.Privacy;

/// <summary>One spend of a partner's privacy budget: a DP report run for a window, charged to every month it covers.</summary>
public sealed record LedgerEntry
{
    public required DateTimeOffset At { get; init; }

    public required string Partner { get; init; }

    public required string Report { get; init; }

    public required string Window { get; init; }

    /// <summary>
    /// The calendar months of data the window covers (yyyy-MM), each charged the full ε and δ. Null in lines
    /// written before budgets were kept per month: those are charged to the months their window name covers.
    /// </summary>
    public IReadOnlyList<string>? Months { get; init; }

    public required decimal Epsilon { get; init; }

    public required decimal Delta { get; init; }

    public required string Actor { get; init; }
}
