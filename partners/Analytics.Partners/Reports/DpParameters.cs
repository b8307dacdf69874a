namespace Analytics.Partners.Reports;

/// <summary>
/// The published parameters of one DP report, and the noise scales derived from them (DpNoise, in Privacy, makes them from the options and samples with them). A visitor is in at
/// most C cells (<see cref="MaxCellsPerVisitor"/>) and adds at most M (<see cref="MaxContributionsPerVisitor"/>)
/// to each metric of a cell, 1 to its visitors. So one visitor moves the visitors column by at most C in L1
/// (its sensitivity) and each other metric column by at most C·M. ε is split evenly over the columns (visitors and
/// each metric: sequential composition), each gets discrete Laplace noise of scale sensitivity / (ε / columns).
/// Which cells appear depends on the data; a cell is published only when its noisy visitors reach
/// <see cref="Threshold"/>, chosen so a cell made by one visitor alone shows with probability at most δ / C, which
/// makes the whole report (ε, δ)-differentially private with respect to adding or removing one visitor.
/// Under the discrete Gaussian (<see cref="GaussianMechanism"/>) ε is not split: every number gets noise of standard
/// parameter σ times its per-cell bound (1 for visitors, M for a metric), which is ρ-zCDP over the whole report in L2
/// (<see cref="Rho"/>), turned into (<see cref="AccountedEpsilon"/>, <see cref="NoiseDelta"/>); the threshold gets
/// <see cref="ThresholdDelta"/>; the two δ add up to <see cref="Delta"/>.
/// </summary>
public sealed record DpParameters
{
    public const string LaplaceMechanism = "discrete-laplace";

    public const string GaussianMechanism = "discrete-gaussian";

    public required string Mechanism { get; init; }

    public required decimal Epsilon { get; init; }

    public required decimal Delta { get; init; }

    public required int MaxCellsPerVisitor { get; init; }

    public required int MaxContributionsPerVisitor { get; init; }

    /// <summary>How ε and δ were accounted for, in words.</summary>
    public required string Accounting { get; init; }

    /// <summary>ε of each column (visitors and each metric) under the discrete Laplace; null under the Gaussian, which accounts for all columns together.</summary>
    public decimal? EpsilonPerColumn { get; init; }

    public required long VisitorsSensitivity { get; init; }

    public required long MetricSensitivity { get; init; }

    /// <summary>Discrete Gaussian only: the L2 sensitivity of the visitors column over the whole report, √C.</summary>
    public double? VisitorsL2Sensitivity { get; init; }

    /// <summary>Discrete Gaussian only: the L2 sensitivity of each metric column over the whole report, √C · M.</summary>
    public double? MetricL2Sensitivity { get; init; }

    /// <summary>
    /// Noise scale of the visitors column: b of the discrete Laplace, P(noise = z) ∝ exp(-|z| / b); σ of the
    /// discrete Gaussian, P(noise = z) ∝ exp(-z² / 2σ²).
    /// </summary>
    public required decimal VisitorsScale { get; init; }

    public required decimal MetricScale { get; init; }

    public required double VisitorsStandardDeviation { get; init; }

    public required double MetricStandardDeviation { get; init; }

    /// <summary>The noise on a visitors number lies within ± this with probability at least 95%.</summary>
    public required long VisitorsHalfWidth95 { get; init; }

    public required long MetricHalfWidth95 { get; init; }

    /// <summary>The least noisy visitors a published cell has.</summary>
    public required long Threshold { get; init; }

    /// <summary>Discrete Gaussian only: the report's zCDP ρ, Σ over columns of (L2 sensitivity)² / (2σ²).</summary>
    public double? Rho { get; init; }

    /// <summary>Discrete Gaussian only: the ε that ρ gives at <see cref="NoiseDelta"/>, at most <see cref="Epsilon"/> (σ is the least multiple of 0.01 that fits).</summary>
    public double? AccountedEpsilon { get; init; }

    /// <summary>Discrete Gaussian only: the part of δ spent converting ρ to (ε, δ): δ / 2.</summary>
    public decimal? NoiseDelta { get; init; }

    /// <summary>The part of δ spent on the threshold: all of δ under the discrete Laplace, δ / 2 under the Gaussian.</summary>
    public decimal? ThresholdDelta { get; init; }

    /// <summary>Discrete Laplace with a = exp(-1/b): variance 2a / (1 - a)².</summary>
    public static double StandardDeviation(double scale)
    {
        var a = Math.Exp(-1 / scale);
        return Math.Sqrt(2 * a) / (1 - a);
    }

    /// <summary>The least h with P(|Z| > h) = 2a^(h+1) / (1 + a) at most <paramref name="tail"/>.</summary>
    public static long HalfWidth(double scale, double tail)
    {
        var a = Math.Exp(-1 / scale);
        var h = (long)Math.Max(0, Math.Ceiling((Math.Log(tail * (1 + a) / 2) / Math.Log(a)) - 1));
        while (h > 0 && 2 * Math.Pow(a, h) / (1 + a) <= tail)
        {
            h--;
        }
        while (2 * Math.Pow(a, h + 1) / (1 + a) > tail)
        {
            h++;
        }
        return h;
    }

    /// <summary>
    /// The least τ with C · P(1 + Z ≥ τ) = C · a^(τ-1) / (1 + a) at most δ: a cell holding only one visitor (count 1
    /// after bounding) in any of its C cells is published with probability at most δ in all. Public numbers only.
    /// </summary>
    public static long ThresholdFor(double visitorsScale, int cells, double delta)
    {
        var a = Math.Exp(-1 / visitorsScale);
        var tau = 1 + (long)Math.Max(0, Math.Ceiling(Math.Log(cells / (delta * (1 + a))) * visitorsScale));
        // Guard against rounding in the logarithm: step up until the bound holds in doubles too.
        while (cells * Math.Pow(a, tau - 1) / (1 + a) > delta)
        {
            tau++;
        }
        return tau;
    }
}
