namespace Analytics.Partners.Privacy;

/// <summary>One spend of a partner's privacy budget: a DP report run for a window.</summary>
public sealed record LedgerEntry
{
    public required DateTimeOffset At { get; init; }

    public required string Partner { get; init; }

    public required string Report { get; init; }

    public required string Window { get; init; }

    public required decimal Epsilon { get; init; }

    public required decimal Delta { get; init; }

    public required string Actor { get; init; }
}
