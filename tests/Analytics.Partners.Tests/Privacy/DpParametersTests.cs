using Analytics.Partners.Privacy;

namespace Analytics.Partners.Tests.Privacy;

/// <summary>The published parameters, each checked against the discrete Laplace distribution summed term by term.</summary>
public class DpParametersTests
{
    [TestCase(1.0, 1, 1, 1)]
    [TestCase(1.0, 1, 5, 1)]
    [TestCase(0.5, 3, 2, 2)]
    public void Scales_sensitivities_and_intervals_follow_from_the_bounds(double epsilon, int cells, int clamp, int metrics)
    {
        var p = DpNoise.ParametersFor(new PrivacyOptions
        {
            Mode = PrivacyMode.DifferentialPrivacy,
            Epsilon = (decimal)epsilon,
            Delta = 1e-6m,
            MaxCellsPerVisitor = cells,
            MaxContributionsPerVisitor = clamp,
        }, metrics);
        var columns = 1 + metrics;
        Assert.Multiple(() =>
        {
            Assert.That(p.VisitorsSensitivity, Is.EqualTo(cells));
            Assert.That(p.MetricSensitivity, Is.EqualTo(cells * clamp));
            Assert.That((double)p.VisitorsScale, Is.EqualTo(cells * columns / epsilon).Within(1e-9));
            Assert.That((double)p.MetricScale, Is.EqualTo(cells * clamp * columns / epsilon).Within(1e-9));
        });
        foreach (var (scale, half, sd) in new[] { ((double)p.VisitorsScale, p.VisitorsHalfWidth95, p.VisitorsStandardDeviation), ((double)p.MetricScale, p.MetricHalfWidth95, p.MetricStandardDeviation) })
        {
            var (within, variance) = Sums(scale, half);
            var (withinLess, _) = Sums(scale, half - 1);
            Assert.That(within, Is.GreaterThanOrEqualTo(0.95), "the interval holds 95%");
            Assert.That(withinLess, Is.LessThan(0.95), "and is the narrowest that does");
            Assert.That(sd, Is.EqualTo(Math.Sqrt(variance)).Within(1e-6 * sd));
        }
        // A cell of one visitor (count 1) is published when 1 + Z >= threshold: summed over C cells, at most δ.
        var a = Math.Exp(-1 / (double)p.VisitorsScale);
        double Leak(long tau) => cells * Tail(a, tau - 1);
        Assert.That(Leak(p.Threshold), Is.LessThanOrEqualTo(1e-6));
        Assert.That(Leak(p.Threshold - 1), Is.GreaterThan(1e-6));
    }

    [Test]
    public void The_noise_parameters_are_the_exact_rationals_of_epsilon()
    {
        var p = DpNoise.ParametersFor(new PrivacyOptions { Epsilon = 0.3m, MaxCellsPerVisitor = 2, MaxContributionsPerVisitor = 5 }, 1);
        // exp(-|z| s / t) with s / t = ε / (sensitivity · columns) = 0.3 / (2 · 2) and 0.3 / (10 · 2).
        Assert.That(p.VisitorsNoise(2), Is.EqualTo((new System.Numerics.BigInteger(3), new System.Numerics.BigInteger(40))));
        Assert.That(p.MetricNoise(2), Is.EqualTo((new System.Numerics.BigInteger(3), new System.Numerics.BigInteger(200))));
    }

    /// <summary>P(|Z| ≤ h) and E[Z²], summed over the probability mass function.</summary>
    private static (double Within, double Variance) Sums(double scale, long h)
    {
        var a = Math.Exp(-1 / scale);
        var norm = (1 - a) / (1 + a);
        double within = 0, variance = 0;
        for (long z = -200_000; z <= 200_000; z++)
        {
            var mass = norm * Math.Pow(a, Math.Abs(z));
            within += Math.Abs(z) <= h ? mass : 0;
            variance += mass * z * z;
        }
        return (within, variance);
    }

    /// <summary>P(Z ≥ k) by summing the mass function.</summary>
    private static double Tail(double a, long k)
    {
        var norm = (1 - a) / (1 + a);
        var sum = 0.0;
        for (var z = k; z < k + 100_000; z++)
        {
            sum += norm * Math.Pow(a, Math.Abs(z));
        }
        return sum;
    }
}
