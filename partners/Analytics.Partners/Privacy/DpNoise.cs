using System.Numerics;
using Analytics.Partners.Reports;

namespace Analytics.Partners.Privacy;

/// <summary>A DP report's parameters from the privacy options, and the exact noise each column gets from them.</summary>
public static class DpNoise
{
    /// <summary>The parameters a report with <paramref name="metrics"/> metrics is published under, for its mechanism.</summary>
    public static DpParameters ParametersFor(PrivacyOptions options, int metrics) => options.Mechanism switch
    {
        NoiseMechanism.DiscreteGaussian => GaussianCalibration.ParametersFor(options, metrics),
        _ => LaplaceParametersFor(options, metrics),
    };

    private static DpParameters LaplaceParametersFor(PrivacyOptions options, int metrics)
    {
        var columns = 1 + metrics;
        var cells = options.MaxCellsPerVisitor;
        var clamp = options.MaxContributionsPerVisitor;
        var visitorsScale = (double)cells * columns / (double)options.Epsilon;
        var metricScale = visitorsScale * clamp;
        return new DpParameters
        {
            Mechanism = DpParameters.LaplaceMechanism,
            Epsilon = options.Epsilon,
            Delta = options.Delta,
            MaxCellsPerVisitor = cells,
            MaxContributionsPerVisitor = clamp,
            Accounting = "pure ε-DP: ε split evenly over the columns, each column's noise scaled to its L1 sensitivity; all of δ for the threshold",
            EpsilonPerColumn = options.Epsilon / columns,
            VisitorsSensitivity = cells,
            MetricSensitivity = (long)cells * clamp,
            VisitorsScale = (decimal)cells * columns / options.Epsilon,
            MetricScale = (decimal)cells * clamp * columns / options.Epsilon,
            VisitorsStandardDeviation = DpParameters.StandardDeviation(visitorsScale),
            MetricStandardDeviation = DpParameters.StandardDeviation(metricScale),
            VisitorsHalfWidth95 = DpParameters.HalfWidth(visitorsScale, 0.05),
            MetricHalfWidth95 = DpParameters.HalfWidth(metricScale, 0.05),
            Threshold = DpParameters.ThresholdFor(visitorsScale, cells, (double)options.Delta),
            ThresholdDelta = options.Delta,
        };
    }

    /// <summary>The exact (s, t) of the visitors noise for <see cref="DiscreteLaplace.Sample"/>: exp(-|z| s / t) = exp(-|z| / scale).</summary>
    public static (BigInteger S, BigInteger T) VisitorsNoise(this DpParameters parameters, int columns) => Noise(parameters, parameters.VisitorsSensitivity, columns);

    public static (BigInteger S, BigInteger T) MetricNoise(this DpParameters parameters, int columns) => Noise(parameters, parameters.MetricSensitivity, columns);

    /// <summary>Draws the visitors column's noise of a report with <paramref name="columns"/> columns, by its mechanism.</summary>
    public static Func<IRandomSource, BigInteger> VisitorsSampler(this DpParameters parameters, int columns) =>
        Sampler(parameters, parameters.VisitorsScale, parameters.VisitorsNoise(columns));

    /// <summary>Draws a metric column's noise, by the report's mechanism.</summary>
    public static Func<IRandomSource, BigInteger> MetricSampler(this DpParameters parameters, int columns) =>
        Sampler(parameters, parameters.MetricScale, parameters.MetricNoise(columns));

    // The Gaussian's σ is a decimal, so σ² is the exact fraction it is; the Laplace's (s, t) come from ε alone.
    private static Func<IRandomSource, BigInteger> Sampler(DpParameters parameters, decimal sigma, (BigInteger S, BigInteger T) laplace)
    {
        if (parameters.Mechanism == DpParameters.GaussianMechanism)
        {
            var (n, d) = RationalDecimal.Of(sigma * sigma);
            return random => DiscreteGaussian.Sample(n, d, random);
        }
        return random => DiscreteLaplace.Sample(laplace.S, laplace.T, random);
    }

    // scale = sensitivity · columns / ε with ε = p / q, so exp(-|z| / scale) = exp(-|z| · p / (q · sensitivity · columns)).
    private static (BigInteger S, BigInteger T) Noise(DpParameters parameters, long sensitivity, int columns)
    {
        var (p, q) = RationalDecimal.Of(parameters.Epsilon);
        return (p, q * sensitivity * columns);
    }
}
