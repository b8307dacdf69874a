using Analytics.Partners.Reports;

namespace Analytics.Partners.Privacy;

/// <summary>
/// The discrete Gaussian parameters of a DP report: the least σ (a multiple of 0.01) whose privacy loss, accounted
/// as zCDP and converted to (ε, δ/2) (<see cref="ZeroConcentratedDp"/>), is at most the report's ε. A visitor is in
/// at most C cells and moves each by 1 visitor and at most M per metric; with σ on visitors and σ·M on each of the k
/// metrics, ρ = C · (1 + k) / (2σ²): the L2 composition over cells and columns that makes the Gaussian pay √C where
/// the Laplace pays C. The other δ/2 is the threshold's, so the report is (ε, δ)-DP as under the Laplace.
/// </summary>
public static class GaussianCalibration
{
    /// <summary>The least σ considered and the step between candidates.</summary>
    private const decimal Step = 0.01m;

    public static DpParameters ParametersFor(PrivacyOptions options, int metrics)
    {
        var columns = 1 + metrics;
        var cells = options.MaxCellsPerVisitor;
        var clamp = options.MaxContributionsPerVisitor;
        var noiseDelta = options.Delta / 2;
        var thresholdDelta = options.Delta - noiseDelta;
        var sigma = LeastSigma((double)cells * columns, (double)options.Epsilon, (double)noiseDelta);
        var rho = ZeroConcentratedDp.Rho(Math.Sqrt((double)cells * columns), (double)sigma);
        var metricSigma = sigma * clamp;
        return new DpParameters
        {
            Mechanism = DpParameters.GaussianMechanism,
            Epsilon = options.Epsilon,
            Delta = options.Delta,
            MaxCellsPerVisitor = cells,
            MaxContributionsPerVisitor = clamp,
            Accounting = "zCDP over all columns and cells in L2 (Canonne, Kamath, Steinke 2020, Theorems 4 and 14), " +
                "converted to (ε, δ/2)-DP by their Corollary 13; the other δ/2 for the threshold",
            VisitorsSensitivity = cells,
            MetricSensitivity = (long)cells * clamp,
            VisitorsL2Sensitivity = Math.Sqrt(cells),
            MetricL2Sensitivity = Math.Sqrt(cells) * clamp,
            VisitorsScale = sigma,
            MetricScale = metricSigma,
            VisitorsStandardDeviation = DiscreteGaussianFigures.StandardDeviation((double)sigma),
            MetricStandardDeviation = DiscreteGaussianFigures.StandardDeviation((double)metricSigma),
            VisitorsHalfWidth95 = DiscreteGaussianFigures.HalfWidth((double)sigma, 0.05),
            MetricHalfWidth95 = DiscreteGaussianFigures.HalfWidth((double)metricSigma, 0.05),
            Threshold = DiscreteGaussianFigures.ThresholdFor((double)sigma, cells, (double)thresholdDelta),
            Rho = rho,
            AccountedEpsilon = ZeroConcentratedDp.Epsilon(rho, (double)noiseDelta),
            NoiseDelta = noiseDelta,
            ThresholdDelta = thresholdDelta,
        };
    }

    /// <summary>The least multiple of <see cref="Step"/> with ε(ρ = squaredSensitivity / 2σ², δ) ≤ ε; ε falls as σ grows.</summary>
    private static decimal LeastSigma(double squaredSensitivity, double epsilon, double delta)
    {
        bool Fits(long steps)
        {
            var sigma = (double)(steps * Step);
            return ZeroConcentratedDp.Epsilon(squaredSensitivity / (2 * sigma * sigma), delta) <= epsilon;
        }
        long low = 0, high = 1;
        while (!Fits(high))
        {
            low = high;
            high *= 2;
        }
        // Fits(high) and not Fits(low) (0 steps never fits).
        while (high - low > 1)
        {
            var middle = (low + high) / 2;
            if (Fits(middle))
            {
                high = middle;
            }
            else
            {
                low = middle;
            }
        }
        return high * Step;
    }
}
