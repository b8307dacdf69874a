using System.Numerics;
using Analytics.Partners.Reports;

namespace Analytics.Partners.Privacy;

/// <summary>A DP report's parameters from the privacy options, and the exact noise each column gets from them.</summary>
public static class DpNoise
{
    /// <summary>The parameters a report with <paramref name="metrics"/> metrics is published under.</summary>
    public static DpParameters ParametersFor(PrivacyOptions options, int metrics)
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
        };
    }

    /// <summary>The exact (s, t) of the visitors noise for <see cref="DiscreteLaplace.Sample"/>: exp(-|z| s / t) = exp(-|z| / scale).</summary>
    public static (BigInteger S, BigInteger T) VisitorsNoise(this DpParameters parameters, int columns) => Noise(parameters, parameters.VisitorsSensitivity, columns);

    public static (BigInteger S, BigInteger T) MetricNoise(this DpParameters parameters, int columns) => Noise(parameters, parameters.MetricSensitivity, columns);

    // scale = sensitivity · columns / ε with ε = p / q, so exp(-|z| / scale) = exp(-|z| · p / (q · sensitivity · columns)).
    private static (BigInteger S, BigInteger T) Noise(DpParameters parameters, long sensitivity, int columns)
    {
        var (p, q) = RationalDecimal.Of(parameters.Epsilon);
        return (p, q * sensitivity * columns);
    }
}
