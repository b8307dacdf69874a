using Analytics.Partners.Privacy;
using Analytics.Partners.Reports;

namespace Analytics.Partners.Tests.Privacy;

/// <summary>A DP table draws each column's noise from the report's mechanism, at the scale it publishes.</summary>
public class NoisyCellsTests
{
    private const int Cells = 4_000;
    private static readonly DateOnly Day = new(2026, 11, 28);

    [TestCase(NoiseMechanism.DiscreteGaussian, 61)]
    [TestCase(NoiseMechanism.DiscreteLaplace, 62)]
    public void Every_number_gets_noise_of_the_variance_its_published_scale_gives(NoiseMechanism mechanism, int seed)
    {
        var query = new ReportQuery("acme", "daily", ["demo"], ["site", "country"], ["pageviews"],
            new Dictionary<string, string>(), Granularity.Day, new ReportWindow(Day, Day));
        var bounded = Enumerable.Range(0, Cells).Select(i => new AggregateRow(Day, ["demo", $"c{i:D5}"], 10_000, [30_000])).ToList();
        var parameters = DpNoise.ParametersFor(new PrivacyOptions
        {
            Mode = PrivacyMode.DifferentialPrivacy,
            Mechanism = mechanism,
            Epsilon = 1m,
            Delta = 0.000001m,
            MaxContributionsPerVisitor = 3,
        }, 1);

        var table = NoisyCells.Build(query, bounded, parameters, new SeededRandomSource(seed));

        var cells = table.Rows.Where(r => r.Type == RowType.Cell).ToList();
        Assert.That(cells, Has.Count.EqualTo(Cells), "cells of 10,000 visitors are all far above the threshold");
        foreach (var (noise, scale) in new[]
                 {
                     (cells.Select(r => (double)(r.Visitors!.Value - 10_000)).ToList(), (double)parameters.VisitorsScale),
                     (cells.Select(r => (double)(r.Metrics[0]!.Value - 30_000)).ToList(), (double)parameters.MetricScale),
                 })
        {
            var expected = mechanism == NoiseMechanism.DiscreteGaussian ? GaussianVariance(scale) : LaplaceVariance(scale);
            var mean = noise.Average();
            var variance = noise.Select(z => (z - mean) * (z - mean)).Sum() / (Cells - 1);
            TestContext.Out.WriteLine($"{parameters.Mechanism} scale {scale}: mean {mean:F3}, variance {variance:F2} ({expected:F2})");
            Assert.That(Math.Abs(mean), Is.LessThan(5 * Math.Sqrt(expected / Cells)), "mean");
            // The sample variance's standard deviation is about √((μ4 - σ⁴) / n), μ4 at most 6σ⁴ for both (Laplace: 6σ⁴).
            Assert.That(variance, Is.EqualTo(expected).Within(5 * Math.Sqrt(5 * expected * expected / Cells)), "variance");
        }
    }

    /// <summary>E[Z²] of N_Z(0, σ²), summed over its mass function.</summary>
    private static double GaussianVariance(double sigma)
    {
        var reach = (int)Math.Ceiling(40 * sigma) + 2;
        var weights = Enumerable.Range(-reach, (2 * reach) + 1).Select(z => (Z: (double)z, W: Math.Exp(-(double)z * z / (2 * sigma * sigma)))).ToList();
        return weights.Sum(p => p.W * p.Z * p.Z) / weights.Sum(p => p.W);
    }

    /// <summary>E[Z²] of the discrete Laplace of scale b: 2a / (1 - a)² with a = exp(-1/b).</summary>
    private static double LaplaceVariance(double scale)
    {
        var a = Math.Exp(-1 / scale);
        return 2 * a / ((1 - a) * (1 - a));
    }
}
