namespace Analytics.Partners.Privacy;

/// <summary>A report's privacy: k-suppression, or differential privacy with its parameters.</summary>
public sealed record PrivacyOptions
{
    public PrivacyMode Mode { get; init; } = PrivacyMode.KSuppression;

    /// <summary>The noise under DifferentialPrivacy: discrete Laplace (the default) or discrete Gaussian.</summary>
    public NoiseMechanism Mechanism { get; init; } = NoiseMechanism.DiscreteLaplace;

    /// <summary>The report's ε, spent from the partner's budget at every run; decimal so it is an exact rational.</summary>
    public decimal Epsilon { get; init; } = 1m;

    /// <summary>The report's δ: the chance that a cell holding one visitor's data alone is published at all.</summary>
    public decimal Delta { get; init; } = 0.000001m;

    /// <summary>A visitor's count in one cell, for every metric but visitors (which is 0 or 1), is clamped to this.</summary>
    public int MaxContributionsPerVisitor { get; init; } = 1;

    /// <summary>A visitor counts in at most this many cells of one report (all periods together); the rest are dropped.</summary>
    public int MaxCellsPerVisitor { get; init; } = 1;
}
